
namespace TusUpload.ClamAV.IntegrationTests;

public sealed class ClamdOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        new ClamdOptions().Validate();
    }

    [Theory]
    [InlineData(nameof(ClamdOptions.Host))]
    [InlineData(nameof(ClamdOptions.Port))]
    [InlineData(nameof(ClamdOptions.ConnectTimeout))]
    [InlineData(nameof(ClamdOptions.ReadTimeout))]
    [InlineData(nameof(ClamdOptions.ChunkSize))]
    [InlineData(nameof(ClamdOptions.MaxStreamLength))]
    public void Invalid_setting_is_refused_by_name(string setting)
    {
        var options = new ClamdOptions();
        switch (setting)
        {
            case nameof(ClamdOptions.Host):
                options.Host = " ";
                break;
            case nameof(ClamdOptions.Port):
                options.Port = 0;
                break;
            case nameof(ClamdOptions.ConnectTimeout):
                options.ConnectTimeout = System.Threading.Timeout.InfiniteTimeSpan;
                break;
            case nameof(ClamdOptions.ReadTimeout):
                options.ReadTimeout = TimeSpan.Zero;
                break;
            case nameof(ClamdOptions.ChunkSize):
                options.ChunkSize = 16;
                break;
            default:
                options.MaxStreamLength = 0;
                break;
        }

        var error = Assert.ThrowsAny<ArgumentException>(() => new ClamdClient(options));

        Assert.Equal(setting, error.ParamName);
        Assert.Contains($"ClamAV:{setting} must", error.Message, StringComparison.Ordinal);
    }
}
