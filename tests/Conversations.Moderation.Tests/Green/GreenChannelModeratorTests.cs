using Conversations.Moderation.Moderators;

namespace Conversations.Moderation.Tests.Green;

/// <summary>Answer windows and images against the local Green server (signatures checked on every call).</summary>
public sealed class GreenChannelModeratorTests : GreenServerTests
{
    private GreenChannelModerator Moderator()
    {
        var options = Server.Options();
        options.MaxRetries = 0;
        return new GreenChannelModerator(Client(options));
    }

    [Fact]
    public async Task An_answer_window_goes_to_llm_response_moderation_and_a_high_risk_blocks()
    {
        var verdict = await Moderator().CheckWindowAsync($"Here is the {LocalGreenServer.ResponseMarker} you asked for.", GreenFailureMode.FailOpen);
        Assert.True(verdict.IsBlocked);
        Assert.Equal(RiskLevel.High, verdict.RiskLevel);
        Assert.Contains(verdict.Results, r => r.Label == "green:contraband");
        Assert.Equal([GreenApi.LlmResponseModeration], Server.Services);
        Assert.Equal(1, Server.Accepted);
    }

    [Fact]
    public async Task A_clean_window_passes_and_medium_risk_is_reported_without_blocking()
    {
        var clean = await Moderator().CheckWindowAsync("The office network is fine.", GreenFailureMode.FailClosed);
        Assert.False(clean.IsBlocked);
        Assert.Empty(clean.Results);
        var medium = await Moderator().CheckWindowAsync("a borderline remark", GreenFailureMode.FailClosed);
        Assert.False(medium.IsBlocked);
        Assert.Equal(RiskLevel.Medium, medium.RiskLevel);
    }

    [Theory]
    [InlineData(GreenFailureMode.FailOpen, false)]
    [InlineData(GreenFailureMode.FailClosed, true)]
    public async Task Green_down_follows_the_failure_mode(GreenFailureMode mode, bool blocked)
    {
        Server.AlwaysFault = new LocalGreenServer.Fault(GreenApi.CodeTimeout);
        var window = await Moderator().CheckWindowAsync("Any text.", mode);
        Assert.True(window.GreenUnavailable);
        Assert.Equal(blocked, window.IsBlocked);
        var image = await Moderator().CheckImageAsync(new ImageModerationRequest("https://img.example/cat.png", FailureMode: mode));
        Assert.True(image.GreenUnavailable);
        Assert.Equal(blocked, image.IsBlocked);
    }

    [Fact]
    public async Task An_image_is_checked_by_ImageModeration_with_its_data_id()
    {
        var risky = await Moderator().CheckImageAsync(new ImageModerationRequest("https://img.example/explosion.jpg", "msg-1/0"));
        Assert.True(risky.IsBlocked);
        Assert.Contains(risky.Results, r => r.Label == "green:violent_explosion_3001");
        var fine = await Moderator().CheckImageAsync(new ImageModerationRequest("https://img.example/cat.png"));
        Assert.False(fine.IsBlocked);
        Assert.Equal([GreenApi.ImageModeration, GreenApi.ImageModeration], Server.Actions);
        Assert.Equal([GreenApi.BaselineCheck, GreenApi.BaselineCheck], Server.Services);
    }

    [Fact]
    public async Task Without_Green_nothing_is_checked_outside()
    {
        var none = new NoOutsideModeration();
        Assert.False(none.Enabled);
        Assert.False((await none.CheckWindowAsync($"{LocalGreenServer.ResponseMarker}", GreenFailureMode.FailClosed)).IsBlocked);
        Assert.False((await none.CheckImageAsync(new ImageModerationRequest("https://img.example/explosion.jpg"))).IsBlocked);
    }
}
