using Microsoft.Extensions.Options;

namespace TusUpload.Store.Disk;

/// <summary>Fails start-up when the store folder cannot be created or written, naming the setting.</summary>
public sealed class DiskStoreOptionsValidator : IValidateOptions<DiskStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DiskStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return ValidateOptionsResult.Fail($"{DiskStoreOptions.SectionName}:Path must name a folder.");
        }

        if (options.CheckpointBytes < DiskStoreOptions.MinCheckpointBytes)
        {
            return ValidateOptionsResult.Fail(
                $"{DiskStoreOptions.SectionName}:CheckpointBytes must be at least {DiskStoreOptions.MinCheckpointBytes}"
                + $" (was {options.CheckpointBytes}).");
        }

        var problem = DiskStoreProbe.TryWrite(System.IO.Path.GetFullPath(options.Path));
        return problem is null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{DiskStoreOptions.SectionName}:Path '{options.Path}' is not a writable folder: {problem}");
    }
}
