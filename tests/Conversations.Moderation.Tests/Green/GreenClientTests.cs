using System.Diagnostics;
using Polly.CircuitBreaker;

namespace Conversations.Moderation.Tests.Green;

public sealed class GreenClientTests : GreenServerTests
{
    [Fact]
    public async Task Text_moderation_plus_returns_the_customized_hit()
    {
        // Proves a signed request passes the server's signature check and Green's documented response shape is parsed.
        var result = await Client().TextModerationPlusAsync(GreenApi.LlmQueryModeration, "OA domain oa.jiaoyu.com?");
        Assert.Equal("high", result.RiskLevel);
        var label = Assert.Single(result.Result!);
        Assert.Equal("customized", label.Label);
        Assert.Equal(100.0, label.Confidence);
        Assert.Equal("LLM ACP", Assert.Single(label.CustomizedHit!).LibName);
        Assert.Equal(1, Server.Accepted);
    }

    [Fact]
    public async Task Wrong_secret_is_rejected_as_not_authorized_without_retry()
    {
        // Proves the server really verifies signatures and auth failures are not retried.
        var error = await Assert.ThrowsAsync<GreenException>(() =>
            Client(Server.Options(secret: "wrong")).TextModerationPlusAsync(GreenApi.LlmQueryModeration, "hi"));
        Assert.Equal(GreenErrorKind.NotAuthorized, error.Kind);
        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.Equal(1, Server.Requests);
        Assert.Equal(0, Server.Accepted);
    }

    [Theory]
    [InlineData(408, GreenErrorKind.NotAuthorized)]
    [InlineData(588, GreenErrorKind.OverQuota)]
    public async Task Permanent_codes_fail_without_retry(int code, GreenErrorKind kind)
    {
        // Proves 408 and 588 in the body are classified and not retried.
        Server.Enqueue(new LocalGreenServer.Fault(code));
        var error = await Assert.ThrowsAsync<GreenException>(() => Client().TextModerationPlusAsync(GreenApi.LlmQueryModeration, "hi"));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(1, Server.Requests);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"OK\"")]
    [InlineData("{\"Code\":true,\"Data\":{\"RiskLevel\":\"none\"}}")]
    [InlineData("{\"Code\":200,\"Data\":{\"RiskLevel\":\"high\",\"Result\":[{\"Label\":\"x\",\"Confidence\":\"abc\"}]}}")]
    [InlineData("{\"Code\":200,\"Data\":{\"RiskLevel\":\"low\",\"Result\":\"x\"}}")]
    [InlineData("{\"Code\":200,\"Data\":{\"RiskLevel\":\"banana\",\"Result\":[]}}")]
    [InlineData("{\"Code\":200,\"Data\":{\"RiskLevel\":7,\"Result\":[]}}")]
    public async Task Well_formed_json_of_another_shape_is_an_invalid_response(string body)
    {
        // Proves an answer that parses as JSON but is not Green's shape fails as a Green failure (the tenant's
        // failure mode decides), never as a parser error that escapes to the turn, nor as an unknown risk read as "none".
        Server.AlwaysFault = new LocalGreenServer.Fault(200, RawBody: body);
        var error = await Assert.ThrowsAsync<GreenException>(() => Client().TextModerationPlusAsync(GreenApi.LlmQueryModeration, "hi"));
        Assert.Equal(GreenErrorKind.InvalidResponse, error.Kind);
        var image = await Assert.ThrowsAsync<GreenException>(() => Client().ImageModerationAsync("https://example.com/a.png"));
        Assert.Equal(GreenErrorKind.InvalidResponse, image.Kind);
    }

    [Fact]
    public async Task Timeout_code_is_retried_with_a_fresh_signature()
    {
        // Proves 581 is retried and the retry is re-signed (the server rejects reused nonces).
        Server.Enqueue(new LocalGreenServer.Fault(581));
        var result = await Client().TextModerationPlusAsync(GreenApi.LlmResponseModeration, "hello");
        Assert.Equal("none", result.RiskLevel);
        Assert.Equal(2, Server.Accepted);
    }

    [Fact]
    public async Task Throttling_honours_x_acs_retry_after()
    {
        // Proves a throttled call waits at least the server's retry-after before the retry succeeds.
        Server.Enqueue(new LocalGreenServer.Fault("Throttling.User", HttpStatus: 429, RetryAfterSeconds: 0.3));
        var watch = Stopwatch.StartNew();
        await Client().TextModerationPlusAsync(GreenApi.LlmQueryModeration, "hello");
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(280), $"retried after {watch.Elapsed}");
        Assert.Equal(2, Server.Accepted);
    }

    [Fact]
    public async Task Throttling_with_a_long_retry_after_fails_fast()
    {
        // Proves a retry-after beyond MaxRetryAfter is surfaced instead of waited out.
        Server.Enqueue(new LocalGreenServer.Fault("Throttling.User", HttpStatus: 429, RetryAfterSeconds: 30));
        var error = await Assert.ThrowsAsync<GreenException>(() => Client().TextModerationPlusAsync(GreenApi.LlmQueryModeration, "hello"));
        Assert.Equal(GreenErrorKind.Throttled, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
        Assert.Equal(1, Server.Requests);
    }

    [Fact]
    public async Task Circuit_opens_after_repeated_failures()
    {
        // Proves the breaker stops calling a failing Green, so callers fall back fast.
        Server.AlwaysFault = new LocalGreenServer.Fault(581);
        var options = Server.Options();
        options.MaxRetries = 0;
        options.CircuitMinimumThroughput = 4;
        var client = Client(options);
        var broken = 0;
        for (var i = 0; i < 10; i++)
        {
            try
            {
                await client.TextModerationPlusAsync(GreenApi.LlmQueryModeration, "x");
            }
            catch (BrokenCircuitException)
            {
                broken++;
            }
            catch (GreenException)
            {
            }
        }
        Assert.True(broken >= 5, $"broken {broken}");
        Assert.True(Server.Requests <= 5, $"requests {Server.Requests}");
    }

    [Fact]
    public async Task Failing_image_checks_do_not_open_the_shared_breaker()
    {
        // Proves that Green failing to fetch users' image URLs (which a user can make stall) cannot open the breaker that
        // every tenant's text checks share: image calls go through the pipeline without one.
        Server.AlwaysFault = new LocalGreenServer.Fault(581);
        var options = Server.Options();
        options.MaxRetries = 0;
        options.CircuitMinimumThroughput = 4;
        var client = Client(options, urlPipeline: true);
        for (var i = 0; i < 10; i++)
            await Assert.ThrowsAsync<GreenException>(() => client.ImageModerationAsync("https://img.example/stalls.jpg"));
        Assert.Equal(10, Server.Requests);
        Server.AlwaysFault = null;
        Assert.Equal("high", (await client.TextModerationPlusAsync(GreenApi.LlmQueryModeration, "OA domain oa.jiaoyu.com?")).RiskLevel);
    }

    [Fact]
    public async Task Image_moderation_returns_labels()
    {
        // Proves ImageModeration sends imageUrl/dataId and parses Green's documented response shape.
        var result = await Client().ImageModerationAsync("https://img.example/explosion.jpg", GreenApi.BaselineCheck, "d-1");
        Assert.Equal("high", result.RiskLevel);
        Assert.Equal("d-1", result.DataId);
        Assert.Equal("violent_explosion_3001", Assert.Single(result.Result!).Label);
    }

    [Fact]
    public async Task Voice_task_is_submitted_then_polled_until_complete()
    {
        // Proves the async pair: submit returns a task id, the first poll is 280 (processing), the next has slices.
        var client = Client();
        var task = await client.VoiceModerationAsync("https://example/acp_secret.mp3");
        Assert.StartsWith("au_", task.TaskId);
        var first = await client.VoiceModerationResultAsync(task.TaskId!);
        Assert.False(first.IsComplete);
        var second = await client.VoiceModerationResultAsync(task.TaskId!);
        Assert.True(second.IsComplete);
        var slice = Assert.Single(second.Data!.SliceDetails!);
        Assert.Equal("C_customized", slice.Labels);
        Assert.Equal([GreenApi.VoiceModeration, GreenApi.VoiceModerationResult, GreenApi.VoiceModerationResult], Server.Actions.ToArray());
    }

    [Fact]
    public async Task Video_task_is_submitted_then_polled_until_complete()
    {
        // Proves the video pair and its nested audio/frame result shape.
        var client = Client();
        var task = await client.VideoModerationAsync("https://example/acp_secret.mp4");
        Assert.False((await client.VideoModerationResultAsync(task.TaskId!)).IsComplete);
        var done = await client.VideoModerationResultAsync(task.TaskId!);
        Assert.Equal("C_customized", Assert.Single(done.Data!.AudioResult!.AudioSummarys!).Label);
        Assert.Equal(0, done.Data.FrameResult!.FrameNum);
    }
}
