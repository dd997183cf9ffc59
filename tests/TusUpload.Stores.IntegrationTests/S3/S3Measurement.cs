namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>One value an S3 store instrument recorded, with its tags.</summary>
internal sealed record S3Measurement(string Instrument, double Value, IReadOnlyDictionary<string, string> Tags);
