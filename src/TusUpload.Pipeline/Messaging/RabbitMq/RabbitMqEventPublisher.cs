using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>
/// Publishes outbox rows to the topic exchange: persistent, mandatory, message id = upload id, structured
/// CloudEvents JSON. Returns only when the broker confirmed every message; on any failure it throws, drops the
/// connection (the next call reconnects and re-declares the topology) and the caller keeps the rows unsent.
/// A batch that failed half-way is published again in full, so consumers see an occasional duplicate, which the
/// ledger's conditional transitions make harmless.
/// </summary>
public sealed class RabbitMqEventPublisher(
    IOptions<RabbitMqOptions> options,
    ILogger<RabbitMqEventPublisher> logger) : IEventPublisher, IAsyncDisposable
{
    private readonly RabbitMqOptions _options = options.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    public async Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await PublishAllAsync(messages, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.PublishFailed(messages.Count, _options.DisplayEndpoint, ex.Message);
            await DropConnectionAsync();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DropConnectionAsync();
        _gate.Dispose();
    }

    private async Task PublishAllAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var channel = await GetChannelAsync(cancellationToken);
        var batchSize = _options.PublishBatchSize;
        var confirms = new Task[Math.Min(batchSize, messages.Count)];

        for (var start = 0; start < messages.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, messages.Count - start);
            var startedAt = Stopwatch.GetTimestamp();

            for (var i = 0; i < count; i++)
            {
                confirms[i] = PublishOneAsync(channel, messages[start + i], cancellationToken).AsTask();
            }

            // Awaiting a batch together is what makes confirms fast: the broker confirms many with one frame.
            await Task.WhenAll(confirms.AsSpan(0, count)).WaitAsync(_options.ConfirmTimeout, cancellationToken);

            logger.Confirmed(count, Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds);
        }
    }

    private ValueTask PublishOneAsync(IChannel channel, OutboxMessage message, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties
        {
            Persistent = true,
            MessageId = message.UploadId,
            Type = message.EventType,
            ContentType = CompletionEventCodec.ContentType,
            AppId = "tusupload",
            Timestamp = new AmqpTimestamp(message.CreatedAt.ToUnixTimeSeconds()),
        };
        var body = Encoding.UTF8.GetBytes(message.Payload);

        return channel.BasicPublishAsync(
            _options.Exchange,
            CompletionEventCodec.RoutingKeyFor(message.EventType),
            mandatory: true,
            properties,
            body,
            cancellationToken);
    }

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open && _connection is { IsOpen: true })
        {
            return open;
        }

        await DropConnectionAsync();

        var connection = await RabbitMqConnections.OpenAsync(_options, "tusupload-outbox", cancellationToken);
        try
        {
            // The limiter's ceiling sits above one batch so a full batch never trips it.
            var channelOptions = new CreateChannelOptions(
                publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: new ThrottlingRateLimiter(
                    _options.PublishBatchSize * 2,
                    throttlingPercentage: 90));
            var channel = await connection.CreateChannelAsync(channelOptions, cancellationToken);
            await RabbitMqTopology.DeclareAsync(channel, _options, cancellationToken);

            _connection = connection;
            _channel = channel;
            logger.PublisherConnected(_options.DisplayEndpoint);
            return channel;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task DropConnectionAsync()
    {
        var channel = _channel;
        var connection = _connection;
        _channel = null;
        _connection = null;

        // Disposing a connection whose peer vanished can itself throw; the connection is gone either way.
        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.PublishFailed(0, _options.DisplayEndpoint, "closing the channel: " + ex.Message);
        }

        try
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.PublishFailed(0, _options.DisplayEndpoint, "closing the connection: " + ex.Message);
        }
    }
}
