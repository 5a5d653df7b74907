namespace Conversations.Routing.Tests.Health;

public sealed class FailureClassifierTests
{
    private const string OpenAIQuota = """{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""";
    private const string OpenAIRateLimit = """{"error":{"message":"Rate limit reached for requests","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}""";

    [Theory]
    [InlineData(401, null, FailureKind.Unauthorized)]
    [InlineData(403, null, FailureKind.Unauthorized)]
    [InlineData(402, null, FailureKind.QuotaExceeded)]
    [InlineData(429, OpenAIQuota, FailureKind.QuotaExceeded)]
    [InlineData(429, """{"code":"Arrearage","message":"Access denied, please make sure your account is in good standing."}""", FailureKind.QuotaExceeded)]
    [InlineData(429, OpenAIRateLimit, FailureKind.RateLimited)]
    [InlineData(429, null, FailureKind.RateLimited)]
    [InlineData(400, """{"error":{"code":"context_length_exceeded"}}""", FailureKind.Rejected)]
    [InlineData(404, null, FailureKind.Rejected)]
    [InlineData(422, null, FailureKind.Rejected)]
    [InlineData(408, null, FailureKind.ServerError)]
    [InlineData(500, null, FailureKind.ServerError)]
    [InlineData(502, null, FailureKind.ServerError)]
    [InlineData(503, OpenAIQuota, FailureKind.ServerError)]
    public void Http_answers_are_sorted_by_whose_fault_they_are(int status, string? body, FailureKind expected)
    {
        // Proves each status (and a 429's body) maps to the kind the shared circuit must or must not count.
        Assert.Equal(expected, FailureClassifier.FromHttpStatus(status, body));
    }

    [Theory]
    [InlineData(FailureKind.ServerError, FailureScope.Endpoint)]
    [InlineData(FailureKind.FirstTokenTimeout, FailureScope.Endpoint)]
    [InlineData(FailureKind.Stall, FailureScope.Endpoint)]
    [InlineData(FailureKind.Connection, FailureScope.Endpoint)]
    [InlineData(FailureKind.RateLimited, FailureScope.Credential)]
    [InlineData(FailureKind.Unauthorized, FailureScope.Credential)]
    [InlineData(FailureKind.QuotaExceeded, FailureScope.Credential)]
    [InlineData(FailureKind.Rejected, FailureScope.Credential)]
    [InlineData(FailureKind.Refused, FailureScope.Credential)]
    public void Only_transport_server_timeout_and_stall_failures_speak_for_the_endpoint(FailureKind kind, FailureScope scope)
    {
        Assert.Equal(scope, FailureClassifier.ScopeOf(kind));
    }

    [Fact]
    public void Quota_is_read_from_the_error_code_never_from_prose()
    {
        // Proves a rate-limit body that merely mentions "quota" in its message stays a rate limit, and non-JSON needs the code itself.
        Assert.False(FailureClassifier.NamesQuota("""{"error":{"message":"over quota for this minute","code":"rate_limit_exceeded"}}"""));
        Assert.True(FailureClassifier.NamesQuota("HTTP 429 (insufficient_quota: insufficient_quota)"));
        Assert.False(FailureClassifier.NamesQuota("HTTP 429 (rate_limit_error: rate_limit_exceeded) over your quota"));
        Assert.False(FailureClassifier.NamesQuota(null));
    }

    [Fact]
    public void Every_kind_survives_the_round_trip_through_turn_codes_and_report_names_with_its_scope()
    {
        // Proves a failure keeps its scope from the turn's attempt through the health report to the grain.
        foreach (var kind in Enum.GetValues<FailureKind>())
        {
            var viaCode = FailureClassifier.FromTurnCode(FailureClassifier.TurnCode(kind));
            Assert.Equal(FailureClassifier.ScopeOf(kind), FailureClassifier.ScopeOf(viaCode));
            Assert.Equal(kind, FailureClassifier.ParseWireName(FailureClassifier.WireName(kind)));
        }
        Assert.Equal("model_unavailable", FailureClassifier.TurnCode(FailureKind.ServerError));
        Assert.Equal("model_unauthorized", FailureClassifier.TurnCode(FailureKind.Unauthorized));
        Assert.Equal(FailureKind.ServerError, FailureClassifier.FromTurnCode("something_new"));
    }
}
