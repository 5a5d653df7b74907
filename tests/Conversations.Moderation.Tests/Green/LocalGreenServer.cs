using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Conversations.Moderation.Tests.Green;

/// <summary>A Green-compatible server on loopback: verifies ACS3 signatures and nonces, answers documented shapes.</summary>
/// <remarks>Queued faults are served first, one per request: a body Code (408/581/588), or throttling with x-acs-retry-after.</remarks>
internal sealed class LocalGreenServer : LoopbackServer
{
    public const string KeyId = "LTAItestkeyid000";
    public const string KeySecret = "test-secret-value";

    private readonly ConcurrentDictionary<string, bool> _nonces = new();
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentDictionary<string, int> _polls = new();
    private int _requests;
    private int _accepted;

    /// <summary>Requests received (including rejected ones).</summary>
    public int Requests => _requests;

    /// <summary>Requests whose signature verified.</summary>
    public int Accepted => _accepted;

    /// <summary>Actions of accepted requests, in order.</summary>
    public ConcurrentQueue<string> Actions { get; } = new();

    /// <summary>Services of accepted requests, in order (e.g. llm_response_moderation).</summary>
    public ConcurrentQueue<string> Services { get; } = new();

    /// <summary>Image URLs checked by ImageModeration, in order.</summary>
    public ConcurrentQueue<string> ImageUrls { get; } = new();

    /// <summary>The HTTP status of each image this server fetched (as Green fetches a signed link to an upload).</summary>
    public ConcurrentQueue<int> ImageFetches { get; } = new();

    /// <summary>Text checked by llm_response_moderation, in order.</summary>
    public ConcurrentQueue<string> ResponseContents { get; } = new();

    /// <summary>An answer holding this is high risk for <c>llm_response_moderation</c> (not for questions).</summary>
    public const string ResponseMarker = "ZX-UNSAFE-MARKER";

    /// <summary>When set, every request gets this fault (e.g. a permanent outage).</summary>
    public Fault? AlwaysFault { get; set; }

    /// <summary>How long every answer waits before it is written (a slow service); none by default.</summary>
    public TimeSpan Delay { get; set; }

    public Uri Endpoint => Address;

    public static Task<LocalGreenServer> StartAsync() => StartAsync<LocalGreenServer>();

    protected override void Map(WebApplication app) => app.MapPost("/", HandleAsync);

    public void Enqueue(Fault fault) => _faults.Enqueue(fault);

    public GreenOptions Options(string? secret = null) => new()
    {
        Endpoint = Endpoint.ToString(),
        AccessKeyId = KeyId,
        AccessKeySecret = secret ?? KeySecret,
        AttemptTimeout = TimeSpan.FromSeconds(2),
        TotalTimeout = TimeSpan.FromSeconds(6),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
    };

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();

        var problem = Verify(context.Request, body);
        if (problem is not null)
        {
            await Write(context, 400, new { Code = problem, Message = "signature check failed", RequestId = Guid.NewGuid().ToString() });
            return;
        }
        Interlocked.Increment(ref _accepted);
        var action = context.Request.Headers["x-acs-action"].ToString();
        Actions.Enqueue(action);
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, context.RequestAborted);

        if (AlwaysFault is { } always || _faults.TryDequeue(out always))
        {
            if (always.RetryAfterSeconds is { } seconds)
                context.Response.Headers["x-acs-retry-after"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (always.RawBody is { } raw)
            {
                context.Response.StatusCode = always.HttpStatus;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(raw);
                return;
            }
            await Write(context, always.HttpStatus, new { Code = always.Code, Message = "fault", RequestId = Guid.NewGuid().ToString() });
            return;
        }

        var form = System.Web.HttpUtility.ParseQueryString(System.Text.Encoding.UTF8.GetString(body));
        var service = form["Service"] ?? "";
        var parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(form["ServiceParameters"] ?? "{}")!;
        Services.Enqueue(service);
        if (service == GreenApi.LlmResponseModeration)
            ResponseContents.Enqueue(parameters.GetValueOrDefault("content") ?? "");
        await Write(context, 200, action switch
        {
            GreenApi.TextModerationPlus => TextResponse(service, parameters.GetValueOrDefault("content") ?? ""),
            GreenApi.ImageModeration => await ImageResponseAsync(parameters["imageUrl"], parameters.GetValueOrDefault("dataId")),
            GreenApi.VoiceModeration or GreenApi.VideoModeration => Envelope(200, new { TaskId = (action == GreenApi.VoiceModeration ? "au_" : "vi_") + Guid.NewGuid().ToString("N"), DataId = parameters.GetValueOrDefault("dataId") }),
            GreenApi.VoiceModerationResult => PollResponse(parameters["taskId"], VoiceData(parameters["taskId"])),
            GreenApi.VideoModerationResult => PollResponse(parameters["taskId"], VideoData(parameters["taskId"])),
            _ => new { Code = "InvalidAction.NotFound", Message = action, RequestId = Guid.NewGuid().ToString() },
        });
    }

    /// <summary>Rebuilds the signature from the request as received; null when valid, else an Alibaba-style error code.</summary>
    private string? Verify(HttpRequest request, byte[] body)
    {
        var authorization = request.Headers.Authorization.ToString();
        const string prefix = AcsSigner.Algorithm + " ";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
            return "MissingAuthorization";
        var parts = authorization[prefix.Length..].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p[1]);
        if (parts.GetValueOrDefault("Credential") != KeyId)
            return "InvalidAccessKeyId.NotFound";
        if (request.Headers["x-acs-version"] != GreenApi.Version)
            return "InvalidVersion";
        if (request.Headers["x-acs-content-sha256"] != AcsSigner.Sha256Hex(body))
            return "ContentSHA256NotMatched";
        var signed = parts["SignedHeaders"].Split(';');
        foreach (var required in new[] { "host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "x-acs-version" })
        {
            if (!signed.Contains(required))
                return "IncompleteSignature";
        }
        var headers = signed.ToDictionary(h => h, h => h == "host" ? request.Host.Value! : request.Headers[h].ToString());
        var query = request.Query.Select(q => new KeyValuePair<string, string>(q.Key, q.Value.ToString())).ToList();
        var expected = AcsSigner.SignV3(new AcsRequest(request.Method, request.Path.Value ?? "/", query, headers, body), KeyId, KeySecret);
        if (expected.Signature != parts["Signature"])
            return "SignatureDoesNotMatch";
        if (!_nonces.TryAdd(request.Headers["x-acs-signature-nonce"].ToString(), true))
            return "SignatureNonceUsed";
        return null;
    }

    private static object TextResponse(string service, string content)
    {
        if (service == GreenApi.LlmResponseModeration && content.Contains(ResponseMarker, StringComparison.Ordinal))
            return Envelope(200, new { Result = new[] { new { Label = "contraband", Confidence = 97.0, RiskWords = ResponseMarker } }, RiskLevel = "high" });
        if (content.Contains("jiaoyu.com", StringComparison.OrdinalIgnoreCase))
            return Envelope(200, new
            {
                Result = new[] { new { Label = "customized", Confidence = 100.0, RiskWords = "jiaoyu.com", CustomizedHit = new[] { new { LibName = "LLM ACP", KeyWords = "jiaoyu.com" } } } },
                RiskLevel = "high",
                Advice = Array.Empty<object>(),
            });
        if (content.Contains("rob a bank", StringComparison.OrdinalIgnoreCase))
            return Envelope(200, new { Result = new[] { new { Label = "illegal_activity", Confidence = 92.5, RiskWords = "rob a bank" } }, RiskLevel = "high" });
        if (content.Contains("borderline", StringComparison.OrdinalIgnoreCase))
            return Envelope(200, new { Result = new[] { new { Label = "political_content", Confidence = 60.0, RiskWords = "" } }, RiskLevel = "medium" });
        return Envelope(200, new { Result = new[] { new { Label = "nonLabel", Confidence = (double?)null, RiskWords = (string?)null } }, RiskLevel = "none", Service = service });
    }

    // Like Green, a platform link is fetched: its bytes flag it when they hold "explosion"; any other URL by its text.
    private async Task<object> ImageResponseAsync(string imageUrl, string? dataId)
    {
        ImageUrls.Enqueue(imageUrl);
        var flagged = imageUrl.Contains("explosion", StringComparison.Ordinal);
        if (!flagged && imageUrl.Contains("/v1/image-links/", StringComparison.Ordinal))
        {
            using var http = new HttpClient();
            using var res = await http.GetAsync(imageUrl);
            ImageFetches.Enqueue((int)res.StatusCode);
            flagged = res.IsSuccessStatusCode && System.Text.Encoding.ASCII.GetString(await res.Content.ReadAsByteArrayAsync()).Contains("explosion", StringComparison.Ordinal);
        }
        return ImageResponse(flagged, dataId);
    }

    private static object ImageResponse(bool flagged, string? dataId) => flagged
        ? Envelope(200, new { DataId = dataId, Result = new[] { new { Label = "violent_explosion_3001", Confidence = 80.0, Description = "war smoke and light" } }, RiskLevel = "high" })
        : Envelope(200, new { DataId = dataId, Result = new[] { new { Label = "nonLabel", Confidence = 99.0, Description = "" } }, RiskLevel = "none" });

    /// <summary>The first poll of a task answers 280 (processing), later polls the result.</summary>
    private object PollResponse(string taskId, object data) =>
        _polls.AddOrUpdate(taskId, 1, (_, n) => n + 1) == 1
            ? new { Code = 280, Message = "PROCESSING", RequestId = Guid.NewGuid().ToString() }
            : Envelope(200, data);

    private static object VoiceData(string taskId) => new
    {
        TaskId = taskId,
        RiskLevel = "high",
        SliceDetails = new[]
        {
            new { StartTime = 0, EndTime = 2, Text = "登录账号密码是一二三四五六", Labels = "C_customized", Extend = "{\"customizedWords\":\"密码\",\"customizedLibs\":\"大模型acp\"}" },
        },
    };

    private static object VideoData(string taskId) => new
    {
        TaskId = taskId,
        RiskLevel = "high",
        AudioResult = new
        {
            AudioSummarys = new[] { new { Label = "C_customized", LabelSum = 1 } },
            SliceDetails = new[] { new { StartTime = 0, EndTime = 2, Text = "登录密码是一二三四五六 ", Labels = "C_customized", Extend = "{\"customizedWords\":\"密码\",\"customizedLibs\":\"大模型acp\"}" } },
        },
        FrameResult = new { FrameNum = 0, FrameSummarys = Array.Empty<object>(), Frames = Array.Empty<object>() },
    };

    private static object Envelope(int code, object data) => new { Code = code, Data = data, Message = "OK", RequestId = Guid.NewGuid().ToString().ToUpperInvariant() };

    private static async Task Write(HttpContext context, int status, object payload)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(payload));
    }

    /// <summary>One injected failure: body Code, HTTP status, optional x-acs-retry-after seconds; or a raw body sent as it is.</summary>
    public sealed record Fault(object Code, int HttpStatus = 200, double? RetryAfterSeconds = null, string? RawBody = null);
}
