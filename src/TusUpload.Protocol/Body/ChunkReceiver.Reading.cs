using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Body;

public sealed partial class ChunkReceiver
{
    /// <summary>
    /// True when the body ends without a byte, false when a byte came, null when neither came within
    /// <see cref="TusOptions.IdleTimeout"/> (logged as an idle cut). What was read stays for the reader's next call.
    /// Kestrel's limits are lifted first: reading starts its minimum data rate, which answered a client that sent
    /// the head and then nothing with its own 408 before our idle timeout could end the request.
    /// </summary>
    public async Task<bool?> IsEmptyAsync(HttpContext context, string uploadId)
    {
        LiftKestrelLimits(context);

        var reader = context.Request.BodyReader;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        using var stopReading = idle.Token.UnsafeRegister(
            static state => ((PipeReader)state!).CancelPendingRead(),
            reader);
        idle.CancelAfter(_options.IdleTimeout);

        var read = await reader.ReadAsync(CancellationToken.None);
        reader.AdvanceTo(read.Buffer.Start);

        if (!read.IsCanceled)
        {
            return read.IsCompleted && read.Buffer.IsEmpty;
        }

        context.RequestAborted.ThrowIfCancellationRequested();
        TusLog.IdleTimeout(logger, uploadId, _options.IdleTimeout);
        return null;
    }

    private async Task<(ChunkEnd End, string? Reason)> ReadBodyAsync(
        HttpContext context,
        ChunkRequest request,
        IChunkWriter writer,
        ChunkChecksum? checksum)
    {
        var reader = context.Request.BodyReader;
        var buffer = ArrayPool<byte>.Shared.Rent(_options.ReadBufferSize);
        using var readCancellation = CancellationTokenSource.CreateLinkedTokenSource(
            context.RequestAborted,
            request.Lock.ReleaseRequested,
            lifetime.ApplicationStopping);
        var filled = 0;
        var total = 0L;

        // A read is stopped with CancelPendingRead, never by cancelling ReadAsync: a cancelled ReadAsync leaves
        // Kestrel's body reader marked as reading, and draining the rest of the body after the answer then failed
        // with an error in the log ("Reading is already in progress") on every shutdown, hand-over and idle cut.
        using var stopReading = readCancellation.Token.UnsafeRegister(
            static state => ((PipeReader)state!).CancelPendingRead(),
            reader);

        try
        {
            while (true)
            {
                if (!reader.TryRead(out var result))
                {
                    // The buffer is not handed to the store before this wait: the network delivers a few KiB
                    // at a time, and a store write per delivery cost dozens of writes per 256 KiB body. Bytes
                    // still in the buffer were not durable either way; every way out of the loop stores them.
                    readCancellation.CancelAfter(_options.IdleTimeout);
                    result = await reader.ReadAsync(CancellationToken.None);
                    readCancellation.CancelAfter(Timeout.InfiniteTimeSpan);
                }

                if (result.IsCanceled)
                {
                    // Nothing of this read is taken: what it holds had not arrived when the reading was stopped.
                    reader.AdvanceTo(result.Buffer.Start);
                    throw new OperationCanceledException(readCancellation.Token);
                }

                var sequence = result.Buffer;
                var overrun = false;
                try
                {
                    while (!sequence.IsEmpty)
                    {
                        var room = Math.Min(buffer.Length - filled, request.MaxBytes - total);
                        var take = (int)Math.Min(sequence.Length, room);
                        if (take == 0 && total == request.MaxBytes)
                        {
                            overrun = true;
                            break;
                        }

                        sequence.Slice(0, take).CopyTo(buffer.AsSpan(filled));
                        sequence = sequence.Slice(take);
                        filled += take;
                        total += take;

                        if (filled == buffer.Length)
                        {
                            filled = await FlushAsync(writer, checksum, buffer, filled);
                        }
                    }
                }
                finally
                {
                    // Also when the store failed: a reader left mid-read makes Kestrel log an error while it drains
                    // the body, and the connection cannot be reused.
                    reader.AdvanceTo(result.Buffer.End);
                }

                if (overrun || result.IsCompleted)
                {
                    await FlushAsync(writer, checksum, buffer, filled);
                    return (overrun ? ChunkEnd.Overrun : ChunkEnd.Complete, null);
                }
            }
        }
        catch (OperationCanceledException)
        {
            await FlushAsync(writer, checksum, buffer, filled);
            return (ClassifyCancellation(context, request), null);
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel's message names what was wrong with the framing ("Bad chunk size data.") on one line.
            await FlushAsync(writer, checksum, buffer, filled);
            return (ChunkEnd.Malformed, "The request body is malformed: " + exception.Message);
        }
        catch (Exception exception) when (exception is IOException or ConnectionResetException)
        {
            await FlushAsync(writer, checksum, buffer, filled);
            return (ChunkEnd.ClientGone, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ChunkEnd ClassifyCancellation(HttpContext context, ChunkRequest request)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return ChunkEnd.ClientGone;
        }

        if (request.Lock.ReleaseRequested.IsCancellationRequested)
        {
            return ChunkEnd.HandedOver;
        }

        return lifetime.ApplicationStopping.IsCancellationRequested ? ChunkEnd.ShuttingDown : ChunkEnd.Idle;
    }

    private static async Task<int> FlushAsync(IChunkWriter writer, ChunkChecksum? checksum, byte[] buffer, int filled)
    {
        if (filled == 0)
        {
            return 0;
        }

        checksum?.Append(buffer.AsSpan(0, filled));

        // Not the request's token: a write cut in half by a vanished client would leave the chunk's state
        // unknown, while these bytes did arrive and should be kept. The store bounds its own I/O.
        await writer.WriteAsync(buffer.AsMemory(0, filled), CancellationToken.None);
        return 0;
    }
}
