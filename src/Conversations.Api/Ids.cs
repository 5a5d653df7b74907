using System.Text.RegularExpressions;

namespace Conversations.Api;

/// <summary>Shapes of ids accepted in routes and bodies; anything else is a 400 (or a 404 in a route).</summary>
internal static partial class Ids
{
    /// <summary>The shape of a tenant id, as a regular expression.</summary>
    public const string TenantIdPattern = "^[a-z0-9][a-z0-9-]{1,62}$";

    /// <summary>
    /// The shape of a user, conversation or turn id, as a regular expression. Not dots alone: every HTTP client and
    /// server removes "." and ".." segments from a path, so such an id could never be named in a route.
    /// </summary>
    public const string IdPattern = "^(?!\\.+$)[A-Za-z0-9._@-]{1,64}$";

    /// <summary>A tenant id: 2–63 lower-case letters, digits and '-'.</summary>
    public static bool IsTenantId(string? id) => id is not null && Whole(TenantId().Match(id), id);

    /// <summary>A user or conversation id: 1–64 letters, digits, '.', '_', '-', '@', not dots alone.</summary>
    public static bool IsId(string? id) => id is not null && Whole(EntityId().Match(id), id);

    // The patterns end in '$' (they are published, and JSON Schema's dialect has no '\z'), which in .NET also matches
    // before a final newline: "alice\n" would pass and reach a response header. As [RegularExpression] does, the match
    // must be the whole value.
    private static bool Whole(Match match, string value) => match.Success && match.Length == value.Length;

    /// <summary>True for an id of the shape the platform gives conversations, batch jobs and exports (no user may take one).</summary>
    public static bool IsGeneratedIdShape(string id) =>
        id.StartsWith("c_", StringComparison.Ordinal) || id.StartsWith("b_", StringComparison.Ordinal) || id.StartsWith("exp_", StringComparison.Ordinal);

    /// <summary>A new random conversation id.</summary>
    public static string NewConversationId() => "c_" + Guid.NewGuid().ToString("n")[..20];

    /// <summary>
    /// An id made from a key the caller chose: the same for their retry (the same key), different for every other caller
    /// who picks the same key.
    /// </summary>
    public static string CallerScoped(string prefix, string tenantId, string userId, string key, int hexChars) =>
        prefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{tenantId}\n{userId}\n{key}")))[..hexChars];

    [GeneratedRegex(TenantIdPattern)]
    private static partial Regex TenantId();

    [GeneratedRegex(IdPattern)]
    private static partial Regex EntityId();
}
