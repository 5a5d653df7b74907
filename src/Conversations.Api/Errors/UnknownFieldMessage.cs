using System.Reflection;
using System.Text.Json;

namespace Conversations.Api.Errors;

/// <summary>
/// The words for a field a strict body does not take (System.Text.Json's unmapped-member refusal): the field as sent,
/// the closest real field, and the fields the body has. An admin's typo must not read as a change that was made.
/// </summary>
internal static partial class UnknownFieldMessage
{
    /// <summary>The friendly message and the field's path, or null when the exception is no unmapped-member refusal.</summary>
    public static (string Detail, string Field)? From(JsonException e)
    {
        if (Unmapped().Match(e.Message) is not { Success: true } m) return null;
        var name = m.Groups["name"].Value;
        var path = e.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? ValidationProblems.JsonPath(p[2..]) : name;
        var fields = FieldsOf(m.Groups["type"].Value);
        var closest = fields.Where(f => Close(f, name)).OrderBy(f => Distance(f.ToLowerInvariant(), name.ToLowerInvariant())).FirstOrDefault();
        var detail = $"'{path}' is not a field this body takes" + (closest is null ? "." : $"; did you mean '{closest}'?")
            + (fields.Count > 0 ? $" Its fields: {string.Join(", ", fields)}." : " The API reference at /openapi/v1.json lists its fields.");
        return (detail, path);
    }

    // The body type's JSON names (camelCase, as the API reads them), found by the type's full name in the message.
    private static List<string> FieldsOf(string typeName)
    {
        var type = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name?.StartsWith("Conversations.", StringComparison.Ordinal) == true)
            .Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null);
        if (type is null) return [];
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || type.GetConstructors().Any(c => c.GetParameters().Any(a => a.Name == p.Name)))
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))];
    }

    private static bool Close(string field, string sent) =>
        field.Contains(sent, StringComparison.OrdinalIgnoreCase) || sent.Contains(field, StringComparison.OrdinalIgnoreCase)
        || Distance(field.ToLowerInvariant(), sent.ToLowerInvariant()) <= 2;

    // Levenshtein distance: short names only, on the error path.
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    [System.Text.RegularExpressions.GeneratedRegex("^The JSON property '(?<name>.*)' could not be mapped to any \\.NET member contained in type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex Unmapped();
}
