using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Tests.Parsing;

public sealed class HeaderNumberTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("5", 5L)]
    [InlineData("0005", 5L)]
    [InlineData("1048576", 1048576L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void G4_valid_numbers_parse_to_their_value(string text, long expected)
    {
        var parsed = HeaderNumber.TryParse(text, out var number);

        Assert.True(parsed);
        Assert.Equal(expected, number);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("1.5")]
    [InlineData("abc")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("9223372036854775808")]
    [InlineData("18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999")]
    [InlineData("٣")]
    public void G4_malformed_or_overflowing_numbers_are_rejected(string? text)
    {
        var parsed = HeaderNumber.TryParse(text, out _);

        Assert.False(parsed);
    }

    [FsCheck.Xunit.Property]
    public bool Any_non_negative_long_round_trips(long value)
    {
        var positive = value == long.MinValue ? 0 : Math.Abs(value);

        return HeaderNumber.TryParse(positive.ToString(System.Globalization.CultureInfo.InvariantCulture), out var n)
            && n == positive;
    }

    [FsCheck.Xunit.Property]
    public bool Any_string_parses_only_when_it_is_plain_digits(string? text)
    {
        var parsed = HeaderNumber.TryParse(text, out var number);

        var plainDigits = !string.IsNullOrEmpty(text) && text.All(char.IsAsciiDigit)
            && decimal.TryParse(text, out var value) && value <= long.MaxValue;
        return parsed == plainDigits && (!parsed || number >= 0);
    }
}
