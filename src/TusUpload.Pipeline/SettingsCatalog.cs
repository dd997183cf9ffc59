using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using TusUpload.ClamAV;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging.InProcess;
using TusUpload.Pipeline.Messaging.RabbitMq;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Pipeline;

/// <summary>
/// The settings a process knows, taken from its options classes, so that a misspelt key is named at start-up instead
/// of being ignored without a word (<c>ClamAV:Enable=true</c> would leave scanning off). Only the sections given as
/// checked are looked at: the server and the worker are usually given one shared configuration, and each checks
/// its own sections.
/// </summary>
public sealed class SettingsCatalog
{
    private readonly HashSet<string> _checkedSections = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _openPrefixes = [];

    /// <summary>Looks for unknown keys under <paramref name="section"/>.</summary>
    public SettingsCatalog Checks(string section)
    {
        _checkedSections.Add(section);
        return this;
    }

    /// <summary>Every property of <typeparamref name="TOptions"/>, bound from <paramref name="section"/>.</summary>
    public SettingsCatalog Knows<TOptions>(string section)
    {
        AddProperties(section, typeof(TOptions), depth: 0);
        return this;
    }

    /// <summary>
    /// The pipeline's own settings, which the server (for its in-process worker) and the worker process both read:
    /// ledger, queue, worker and scanner.
    /// </summary>
    public SettingsCatalog KnowsPipeline() => this
        .Knows<LedgerOptions>(LedgerOptions.SectionName)
        .Knows<InProcessWorkerOptions>(InProcessWorkerOptions.SectionName)
        .Knows<ProcessingOptions>(ProcessingOptions.SectionName)
        .Knows<RabbitMqOptions>(RabbitMqOptions.SectionName)
        .Knows<ScanningOptions>(ScanningOptions.SectionName)
        .Knows<ClamdOptions>(ScanningOptions.SectionName);

    /// <summary>Keys read one by one (a store's kind), or another process's keys of the same deployment.</summary>
    public SettingsCatalog Knows(params string[] keys)
    {
        _keys.UnionWith(keys);
        return this;
    }

    /// <summary>The keys with a value under the checked sections that no options class or listed key knows.</summary>
    public IReadOnlyList<string> UnknownKeys(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var unknown = new List<string>();
        foreach (var section in _checkedSections)
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is not null && !IsKnown(key))
                {
                    unknown.Add(key);
                }
            }
        }

        unknown.Sort(StringComparer.OrdinalIgnoreCase);
        return unknown;
    }

    private bool IsKnown(string key) =>
        _keys.Contains(key)
        || _openPrefixes.Exists(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private void AddProperties(string prefix, Type type, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsScalar(propertyType))
            {
                if (property.CanWrite)
                {
                    _keys.Add(key);
                }
            }
            else if (typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                // A list or dictionary takes keys of its own below the setting (":0", ":1" or names).
                _keys.Add(key);
                _openPrefixes.Add(key + ":");
            }
            else if (depth < 4)
            {
                AddProperties(key, propertyType, depth + 1);
            }
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive
        || type.IsEnum
        || type == typeof(string)
        || type == typeof(decimal)
        || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset)
        || type == typeof(DateTime)
        || type == typeof(Guid)
        || type == typeof(Uri);
}
