using Microsoft.AspNetCore.Http;
using TusUpload.Protocol.Body;
using TusUpload.Protocol.Http;

namespace TusUpload.Protocol.Handlers;

/// <summary>Answers a request whose body was streamed, according to why the stream ended.</summary>
internal static class BodyAnswers
{
    /// <summary>
    /// nginx's "client closed request": recorded (never sent) for requests whose client went away, so that request
    /// metrics tell them from answered ones.
    /// </summary>
    public const int ClientClosedRequest = 499;

    public static async Task AnswerAsync(HttpContext context, ChunkResult result, int successStatus)
    {
        var response = context.Response;
        TusResponses.SetOffset(response, result.Upload.Offset);
        TusResponses.SetExpires(response, result.Upload);

        switch (result.End)
        {
            case ChunkEnd.Complete:
                response.StatusCode = successStatus;
                break;
            case ChunkEnd.Overrun:
                await ErrorAsync(context, 413, "The body ran past the bytes the upload may take.");
                break;
            case ChunkEnd.ChecksumMismatch:
                await ErrorAsync(context, 460, result.Reason!);
                break;
            case ChunkEnd.BadTrailer:
                await ErrorAsync(context, 400, result.Reason!);
                break;
            case ChunkEnd.ShuttingDown:
                response.Headers.Connection = "close";
                await ErrorAsync(context, 503, "The server is restarting; resume shortly.");
                break;
            case ChunkEnd.Malformed:
                // The rest of the stream cannot be framed into requests: answer, then end the connection.
                response.Headers.Connection = "close";
                await ErrorAsync(context, 400, result.Reason!);
                break;
            case ChunkEnd.Idle:
                // The client went silent: end the connection rather than wait for its body.
                EndUnanswered(context, StatusCodes.Status408RequestTimeout);
                break;
            case ChunkEnd.HandedOver:
                // Superseded by the same client's newer request: abandoned by the client, as a disconnect is.
                EndUnanswered(context, ClientClosedRequest);
                break;
            default:
                // The client is gone; there is no one to answer. Aborting also keeps Kestrel from draining the
                // rest of the body through a reader a reset connection left marked as reading, which logged an
                // error ("Reading is already in progress") for a client that merely went away.
                EndUnanswered(context, ClientClosedRequest);
                break;
        }
    }

    /// <summary>
    /// Aborts the connection without an answer. Nobody receives <paramref name="recordedStatus"/>; it is set for the
    /// request metrics and log, which would otherwise count the request as a 200.
    /// </summary>
    private static void EndUnanswered(HttpContext context, int recordedStatus)
    {
        context.Response.StatusCode = recordedStatus;
        context.Abort();
    }

    // The body was cut short or refused; the answer goes out on the connection's own lifetime.
    private static Task ErrorAsync(HttpContext context, int statusCode, string reason) =>
        TusResponses.WriteErrorAsync(context, statusCode, reason, context.RequestAborted);
}
