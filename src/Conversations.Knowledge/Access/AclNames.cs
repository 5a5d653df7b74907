using System.Text.RegularExpressions;

namespace Conversations.Knowledge.Access;

/// <summary>What role, label and user names may look like; a bad name is the caller's error (ArgumentException → 400).</summary>
public static partial class AclNames
{
    /// <summary>Longest label name.</summary>
    public const int MaxLabelLength = 100;

    /// <summary>Returns the role name or throws: 1–64 of letters, digits, '.', '_', '-'.</summary>
    public static string RequireRole(string? role) =>
        role is not null && RoleName().IsMatch(role) ? role
            : throw new ArgumentException($"Role name '{role}' is not valid: use 1–64 letters, digits, '.', '_' or '-' (not dots alone).");

    /// <summary>Returns the label or throws: 1–100 of letters, digits, '.', '_', '-', '/', ':'.</summary>
    public static string RequireLabel(string? label) =>
        label is not null && LabelName().IsMatch(label) ? label
            : throw new ArgumentException($"Label '{label}' is not valid: use 1–{MaxLabelLength} letters, digits, '.', '_', '-', ':' or '/', with no part of dots alone (e.g. compensation/staff).");

    /// <summary>Returns the user id or throws: 1–64 of letters, digits, '.', '_', '-', '@'.</summary>
    public static string RequireUser(string? userId) =>
        userId is not null && UserName().IsMatch(userId) ? userId
            : throw new ArgumentException($"User id '{userId}' is not valid: use 1–64 letters, digits, '.', '_', '-' or '@' (not dots alone).");

    // Names travel in route paths, where every client and server removes "." and ".." segments: a name made of dots
    // (or a label with such a segment) could be created but never named again.
    [GeneratedRegex(@"^(?!\.+\z)[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex RoleName();

    [GeneratedRegex(@"^(?!(?:.*/)?\.+(?:/|\z))[A-Za-z0-9._:/-]{1,100}\z")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^(?!\.+\z)[A-Za-z0-9._@-]{1,64}\z")]
    private static partial Regex UserName();
}
