namespace TusUpload.Pipeline.IntegrationTests.Hosting;

/// <summary>
/// Kind settings are matched the same way by the server and the worker: before they shared one rule, the worker
/// refused a blank <c>Store:Kind</c> that the server took for the default.
/// </summary>
public sealed class KindSettingTests
{
    [Theory]
    [InlineData(null, "disk", "disk")]
    [InlineData("", "disk", "disk")]
    [InlineData("   ", "sqlite", "sqlite")]
    [InlineData(" S3 ", "disk", "s3")]
    [InlineData("SQLite", "postgres", "sqlite")]
    [InlineData("InProcess", "rabbitmq", "inprocess")]
    public void Kind_ignores_case_and_surrounding_spaces_and_falls_back_when_blank(
        string? value,
        string fallback,
        string expected)
    {
        var kind = HostSettings.NormalizeKind(value, fallback);

        Assert.Equal(expected, kind);
    }
}
