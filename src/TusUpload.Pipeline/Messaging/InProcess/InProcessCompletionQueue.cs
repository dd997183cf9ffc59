using System.Threading.Channels;
using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Outbox;

namespace TusUpload.Pipeline.Messaging.InProcess;

/// <summary>
/// The embedded default's queue: a bounded channel between the relay and the in-process workers. A full channel
/// makes the relay wait, and the outbox holds the rest, so memory stays bounded however large a burst is.
/// </summary>
public sealed class InProcessCompletionQueue(IOptions<PipelineOptions> options)
{
    private readonly Channel<InProcessDelivery> _channel = Channel.CreateBounded<InProcessDelivery>(
        new BoundedChannelOptions(options.Value.InProcessQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });

    public ChannelReader<InProcessDelivery> Reader => _channel.Reader;

    public ValueTask EnqueueAsync(InProcessDelivery delivery, CancellationToken cancellationToken) =>
        _channel.Writer.WriteAsync(delivery, cancellationToken);
}
