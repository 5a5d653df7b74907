using System.Security.Claims;
using System.Text.Encodings.Web;
using Conversations.Api.Errors;
using Conversations.Contracts.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Auth;

/// <summary>
/// The <c>ApiKey</c> authentication scheme: <c>Authorization: Bearer cvk_…</c>, resolved by
/// <see cref="ApiKeyAuthenticator"/> on every request. The principal carries the key's role as a role claim, so authorization policies
/// decide who may call a route; the resolved <see cref="ApiCaller"/> is kept on the request for the handlers.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyAuthenticator keys, KeyUsageRecorder usage, Security.FailedKeyLimiter failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>Claim type of the key id.</summary>
    public const string KeyIdClaim = "key_id";

    /// <summary>Claim type of the tenant id (absent for operator keys).</summary>
    public const string TenantClaim = "tenant_id";

    internal const string CallerItem = "conversations.caller";
    private const string BlockedItem = "conversations.unknown-keys-blocked";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var keyId = Security.FailedKeyLimiter.KeyIdOf(Request.Headers.Authorization.ToString());
        if (failures.IsBlocked(address, keyId))
        {
            Context.Items[BlockedItem] = true;
            return AuthenticateResult.Fail("Too many unknown keys from this address.");
        }
        var caller = await keys.AuthenticateAsync(Request, Context.RequestAborted);
        if (caller is null)
        {
            failures.RecordFailure(address);
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired.");
        }
        if (keyId is not null) failures.RecordSuccess(address, keyId);
        usage.Touch(caller.KeyId);
        PlatformTracing.Mark(Context.Features.Get<IHttpActivityFeature>()?.Activity, "authenticated");
        Context.Items[CallerItem] = caller;
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, caller.UserId ?? caller.KeyId),
            new(ClaimTypes.Role, caller.Role),
            new(KeyIdClaim, caller.KeyId),
        };
        if (caller.TenantId is not null) claims.Add(new Claim(TenantClaim, caller.TenantId));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Refused without a lookup: the key may be fine, so the client is told to wait, not that its key is bad.
        if (Context.Items.ContainsKey(BlockedItem))
        {
            Response.Headers.RetryAfter = "60";
            return TypedResults.Problem(
                "Too many unknown or revoked API keys came from this address in the last minute, so keys not used from it lately are not checked until the minute turns. Wait for the time in Retry-After, then try again.",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", type: "https://httpstatuses.io/429").ExecuteAsync(Context);
        }
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Unauthorized().ExecuteAsync(Context);
    }
}
