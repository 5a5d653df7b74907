using System.Text.Json;

namespace Conversations.Api.Errors;

/// <summary>
/// Shapes the 400 that body validation answers with: every field's errors keyed by the field as a client writes it
/// (<c>documents[0].content</c>, not <c>Documents[0].Content</c>), and a detail that lists them all.
/// </summary>
internal static class ValidationProblems
{
    /// <summary>Rewrites the keys to JSON names and fills title and detail.</summary>
    public static void Describe(HttpValidationProblemDetails problem)
    {
        var errors = problem.Errors.ToDictionary(e => JsonPath(e.Key), e => e.Value, StringComparer.Ordinal);
        problem.Errors.Clear();
        foreach (var (key, messages) in errors) problem.Errors[key] = messages;
        problem.Title = "The request is not valid";
        problem.Type = "https://httpstatuses.io/400";
        problem.Detail ??= string.Join(" ", errors.SelectMany(e => e.Value.Select(m => m.StartsWith(e.Key, StringComparison.Ordinal) ? m : $"{e.Key}: {m}")));
    }

    /// <summary><c>Documents[0].Content</c> → <c>documents[0].content</c>.</summary>
    public static string JsonPath(string memberPath) =>
        string.Join('.', memberPath.Split('.').Select(step => step.Length == 0 ? step : JsonNamingPolicy.CamelCase.ConvertName(step)));
}
