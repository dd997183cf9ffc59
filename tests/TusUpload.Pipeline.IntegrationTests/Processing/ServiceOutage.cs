using System.Reflection;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

/// <summary>
/// A service of the worker's (the ledger, the upload store) seen through an outage: while it lasts, every call that
/// returns a task (or only those of <see cref="OnlyMethod"/>) fails with the exception that service's client throws
/// when it cannot reach it, and none reaches the real one; after it, every call goes through. DispatchProxy makes
/// the instance, so the class is neither sealed nor abstract.
/// </summary>
public class ServiceOutage<TService> : DispatchProxy
    where TService : class
{
    private TService? _inner;
    private Func<Exception>? _failure;
    private long _endsAtTicks;
    private int _failures;

    /// <summary>The one method that fails during the outage; null for all of them.</summary>
    public string? OnlyMethod { get; set; }

    /// <summary>Calls that failed because of the outage.</summary>
    public int Failures => Volatile.Read(ref _failures);

    public bool IsDown => DateTime.UtcNow.Ticks < Volatile.Read(ref _endsAtTicks);

    public static TService Wrap(TService inner, Func<Exception> failure)
    {
        var service = Create<TService, ServiceOutage<TService>>();
        var outage = (ServiceOutage<TService>)(object)service;
        outage._inner = inner;
        outage._failure = failure;
        return service;
    }

    /// <summary>The outage of <paramref name="service"/>, a proxy that <see cref="Wrap"/> made.</summary>
    public static ServiceOutage<TService> Of(TService service) => (ServiceOutage<TService>)(object)service;

    public void Begin(TimeSpan length) => Volatile.Write(ref _endsAtTicks, (DateTime.UtcNow + length).Ticks);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (IsDown
            && (OnlyMethod is null || targetMethod.Name == OnlyMethod)
            && typeof(Task).IsAssignableFrom(targetMethod.ReturnType))
        {
            Interlocked.Increment(ref _failures);
            return Faulted(targetMethod.ReturnType, _failure!());
        }

        return targetMethod.Invoke(_inner, args);
    }

    private static Task Faulted(Type taskType, Exception failure)
    {
        if (!taskType.IsGenericType)
        {
            return Task.FromException(failure);
        }

        var fromException = typeof(Task).GetMethods()
            .Single(method => method is { Name: nameof(Task.FromException), IsGenericMethodDefinition: true });
        return (Task)fromException.MakeGenericMethod(taskType.GetGenericArguments()[0]).Invoke(null, [failure])!;
    }
}
