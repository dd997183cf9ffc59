using System.Collections;
using System.Text;
using RabbitMQ.Client;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>
/// The most recent dead-lettering of a message, from the broker's <c>x-death</c> header: a list of tables, most
/// recent first, each with <c>reason</c> and <c>queue</c> as byte strings and <c>time</c> as an AMQP timestamp
/// (whole seconds), as RabbitMQ 3.10 writes it.
/// </summary>
public sealed record DeadLetterDeath(string Reason, string Queue, DateTimeOffset? Time)
{
    /// <summary>The reason a quorum queue gives when a message was returned more than its delivery limit.</summary>
    public const string DeliveryLimit = "delivery_limit";

    private const string Header = "x-death";

    /// <summary>The latest death, or null when the message carries no readable <c>x-death</c>.</summary>
    public static DeadLetterDeath? Latest(IDictionary<string, object?>? headers)
    {
        if (headers is null
            || !headers.TryGetValue(Header, out var value)
            || value is not IList { Count: > 0 } deaths
            || deaths[0] is not IDictionary<string, object?> latest)
        {
            return null;
        }

        DateTimeOffset? time = latest.TryGetValue("time", out var at) && at is AmqpTimestamp timestamp
            ? DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime)
            : null;
        return new DeadLetterDeath(Text(latest, "reason"), Text(latest, "queue"), time);
    }

    private static string Text(IDictionary<string, object?> table, string key) =>
        table.TryGetValue(key, out var value)
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                string text => text,
                _ => string.Empty,
            }
            : string.Empty;
}
