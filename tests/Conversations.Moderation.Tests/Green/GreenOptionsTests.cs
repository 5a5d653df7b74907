namespace Conversations.Moderation.Tests.Green;

public sealed class GreenOptionsTests
{
    private static string[] Errors(GreenOptions options) =>
        new GreenOptionsValidator().Validate(null, options).Failures?.ToArray() ?? [];

    [Fact]
    public void Defaults_are_valid_and_point_at_the_regional_endpoint()
    {
        // Proves an unconfigured client is valid (Green off) and the endpoint follows the region.
        var options = new GreenOptions { Region = "cn-beijing" };
        Assert.Empty(Errors(options));
        Assert.False(options.IsConfigured);
        Assert.Equal(new Uri("https://green-cip.cn-beijing.aliyuncs.com"), options.EndpointUri);
    }

    [Theory]
    [InlineData("id", null, "cn-shanghai", null)]
    [InlineData("id", "secret", "Shanghai!", null)]
    [InlineData("id", "secret", "cn-shanghai", "not a url")]
    [InlineData("id", "secret", "cn-shanghai", "ftp://x")]
    public void Invalid_settings_are_reported(string? id, string? secret, string region, string? endpoint)
    {
        // Proves half-set keys, bad regions and bad endpoints fail validation.
        Assert.NotEmpty(Errors(new GreenOptions { AccessKeyId = id, AccessKeySecret = secret, Region = region, Endpoint = endpoint }));
    }

    [Fact]
    public void Attempt_timeout_longer_than_total_is_rejected()
    {
        // Proves inconsistent timeouts fail validation.
        Assert.NotEmpty(Errors(new GreenOptions { AttemptTimeout = TimeSpan.FromSeconds(10), TotalTimeout = TimeSpan.FromSeconds(5) }));
    }
}
