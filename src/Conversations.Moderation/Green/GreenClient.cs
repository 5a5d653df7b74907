using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Polly;

namespace Conversations.Moderation.Green;

/// <summary>Hand-written Green 2022-03-02 client: RPC-style POST "/" with a form body, signed ACS3-HMAC-SHA256.</summary>
/// <remarks>
/// Use one shared <paramref name="pipeline"/> per process so the circuit breaker sees all calls. Calls that make Green
/// fetch a user's URL (images, voice, video) go through <paramref name="urlPipeline"/> (no breaker) when given: a user's
/// stalling URL is that turn's failure, not evidence that Green is down for every tenant.
/// </remarks>
internal sealed class GreenClient(HttpClient http, GreenOptions options, ResiliencePipeline pipeline, TimeProvider? timeProvider = null,
    ResiliencePipeline? urlPipeline = null) : IGreenClient
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public async Task<GreenTextModerationResult> TextModerationPlusAsync(string service, string content, CancellationToken cancellationToken = default)
    {
        var answer = await CallAsync<GreenTextModerationResult>(GreenApi.TextModerationPlus, service, new Dictionary<string, string> { ["content"] = content }, false, cancellationToken);
        return KnownRisk(answer.Data!, answer.Data!.RiskLevel, answer.RequestId);
    }

    /// <inheritdoc />
    public async Task<GreenImageModerationResult> ImageModerationAsync(string imageUrl, string service = GreenApi.BaselineCheck, string? dataId = null, CancellationToken cancellationToken = default)
    {
        var answer = await CallAsync<GreenImageModerationResult>(GreenApi.ImageModeration, service, Parameters("imageUrl", imageUrl, dataId), false, cancellationToken, fetchesUrl: true);
        return KnownRisk(answer.Data!, answer.Data!.RiskLevel, answer.RequestId);
    }

    // A risk level outside Green's four would otherwise read as "none" and pass: it is a broken answer, so the
    // tenant's failure mode decides, as for any other Green failure.
    private static T KnownRisk<T>(T data, string? riskLevel, string? requestId) =>
        RiskLevels.IsKnownGreen(riskLevel)
            ? data
            : throw new GreenException(GreenErrorKind.InvalidResponse, "200", "Unknown RiskLevel", requestId);

    /// <inheritdoc />
    public async Task<GreenTaskSubmission> VoiceModerationAsync(string url, string service = GreenApi.AudioMediaDetection, string? dataId = null, CancellationToken cancellationToken = default) =>
        (await CallAsync<GreenTaskSubmission>(GreenApi.VoiceModeration, service, Parameters("url", url, dataId), false, cancellationToken, fetchesUrl: true)).Data!;

    /// <inheritdoc />
    public Task<GreenTaskResult<GreenVoiceModerationResult>> VoiceModerationResultAsync(string taskId, string service = GreenApi.AudioMediaDetection, CancellationToken cancellationToken = default) =>
        CallAsync<GreenVoiceModerationResult>(GreenApi.VoiceModerationResult, service, new Dictionary<string, string> { ["taskId"] = taskId }, true, cancellationToken);

    /// <inheritdoc />
    public async Task<GreenTaskSubmission> VideoModerationAsync(string url, string service = GreenApi.VideoDetection, string? dataId = null, CancellationToken cancellationToken = default) =>
        (await CallAsync<GreenTaskSubmission>(GreenApi.VideoModeration, service, Parameters("url", url, dataId), false, cancellationToken, fetchesUrl: true)).Data!;

    /// <inheritdoc />
    public Task<GreenTaskResult<GreenVideoModerationResult>> VideoModerationResultAsync(string taskId, string service = GreenApi.VideoDetection, CancellationToken cancellationToken = default) =>
        CallAsync<GreenVideoModerationResult>(GreenApi.VideoModerationResult, service, new Dictionary<string, string> { ["taskId"] = taskId }, true, cancellationToken);

    /// <summary>The form body Green expects: <c>Service=…&amp;ServiceParameters=&lt;json&gt;</c>, RFC 3986-encoded.</summary>
    public static byte[] FormBody(string service, IReadOnlyDictionary<string, string> serviceParameters) =>
        Encoding.UTF8.GetBytes(
            $"Service={AcsSigner.PercentEncode(service)}&ServiceParameters={AcsSigner.PercentEncode(JsonSerializer.Serialize(serviceParameters))}");

    private static Dictionary<string, string> Parameters(string key, string value, string? dataId)
    {
        var parameters = new Dictionary<string, string> { [key] = value };
        if (dataId is not null)
            parameters["dataId"] = dataId;
        return parameters;
    }

    private async Task<GreenTaskResult<T>> CallAsync<T>(
        string action, string service, IReadOnlyDictionary<string, string> serviceParameters, bool allowProcessing, CancellationToken cancellationToken,
        bool fetchesUrl = false)
        where T : class
    {
        if (!options.IsConfigured)
            throw new InvalidOperationException("Green is not configured (AccessKeyId/AccessKeySecret missing).");
        var body = FormBody(service, serviceParameters);
        return await (fetchesUrl ? urlPipeline ?? pipeline : pipeline).ExecuteAsync(
            static async (state, token) => await state.Self.SendOnceAsync<T>(state.Action, state.Body, state.AllowProcessing, token),
            (Self: this, Action: action, Body: body, AllowProcessing: allowProcessing),
            cancellationToken);
    }

    /// <summary>One signed attempt; a retry calls this again, which signs again with a new nonce and date.</summary>
    private async Task<GreenTaskResult<T>> SendOnceAsync<T>(string action, byte[] body, bool allowProcessing, CancellationToken cancellationToken)
        where T : class
    {
        var endpoint = options.EndpointUri;
        var host = endpoint.IsDefaultPort ? endpoint.Host : endpoint.Authority;
        var headers = AcsSigner.StandardHeaders(host, action, GreenApi.Version, _time.GetUtcNow(), Guid.NewGuid().ToString("N"), body);
        headers["content-type"] = "application/x-www-form-urlencoded";
        var signature = AcsSigner.SignV3(new AcsRequest("POST", "/", [], headers, body), options.AccessKeyId!, options.AccessKeySecret!);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/"));
        foreach (var (name, value) in headers)
        {
            if (name is not ("host" or "content-type"))
                request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", headers["content-type"]);

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var retryAfter = RetryAfter(response);
        return Interpret<T>(response.StatusCode, text, retryAfter, allowProcessing);
    }

    private static GreenTaskResult<T> Interpret<T>(HttpStatusCode status, string text, TimeSpan? retryAfter, bool allowProcessing)
        where T : class
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            if (status == HttpStatusCode.TooManyRequests)
                throw new GreenException(GreenErrorKind.Throttled, "429", null, null, retryAfter);
            if ((int)status >= 500)
                throw new GreenException(GreenErrorKind.Timeout, ((int)status).ToString(CultureInfo.InvariantCulture), "HTTP error without a Green body", null, retryAfter);
            throw new GreenException(GreenErrorKind.InvalidResponse, ((int)status).ToString(CultureInfo.InvariantCulture), "Body is not JSON", null);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new GreenException(GreenErrorKind.InvalidResponse, ((int)status).ToString(CultureInfo.InvariantCulture), "Body is not a JSON object", null);
            var code = !root.TryGetProperty("Code", out var c) ? "" : c.ValueKind switch
            {
                JsonValueKind.Number => c.GetRawText(),
                JsonValueKind.String => c.GetString() ?? "",
                _ => "?",
            };
            var message = root.TryGetProperty("Message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var requestId = root.TryGetProperty("RequestId", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var kind = Classify(status, code);
            if (kind is { } error)
                throw new GreenException(error, code, message, requestId, retryAfter);
            if (code == "280")
            {
                if (!allowProcessing)
                    throw new GreenException(GreenErrorKind.InvalidResponse, code, "Unexpected 'processing' answer", requestId);
                return new GreenTaskResult<T>(false, null, requestId);
            }
            if (!root.TryGetProperty("Data", out var data) || data.ValueKind != JsonValueKind.Object)
                throw new GreenException(GreenErrorKind.InvalidResponse, code, "Missing Data", requestId);
            try
            {
                return new GreenTaskResult<T>(true, data.Deserialize<T>(Json), requestId);
            }
            catch (JsonException)
            {
                // Well-formed JSON of another shape (a label list that is not a list, a confidence that is not a number).
                throw new GreenException(GreenErrorKind.InvalidResponse, code, "Data has an unexpected shape", requestId);
            }
        }
    }

    /// <summary>Maps HTTP status and body Code to an error kind; null means success or "processing".</summary>
    private static GreenErrorKind? Classify(HttpStatusCode status, string code) => code switch
    {
        "200" or "280" => (int)status < 300 ? null : GreenErrorKind.InvalidResponse,
        "?" => GreenErrorKind.InvalidResponse, // a Code that is neither a number nor a string
        "408" => GreenErrorKind.NotAuthorized,
        "588" => GreenErrorKind.OverQuota,
        "581" => GreenErrorKind.Timeout,
        "429" => GreenErrorKind.Throttled,
        _ when code.StartsWith("Throttling", StringComparison.OrdinalIgnoreCase) || status == HttpStatusCode.TooManyRequests => GreenErrorKind.Throttled,
        _ when code.StartsWith("InvalidAccessKey", StringComparison.OrdinalIgnoreCase) || code.StartsWith("SignatureDoesNotMatch", StringComparison.OrdinalIgnoreCase)
            || code.StartsWith("Forbidden", StringComparison.OrdinalIgnoreCase) || status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => GreenErrorKind.NotAuthorized,
        _ when (int)status >= 500 => GreenErrorKind.Timeout,
        _ => GreenErrorKind.BadRequest,
    };

    /// <summary>Reads x-acs-retry-after (seconds, possibly fractional), falling back to the standard Retry-After.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("x-acs-retry-after", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        return response.Headers.RetryAfter?.Delta;
    }
}
