using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Conversations.Api.Errors;

/// <summary>
/// Refuses a query parameter the route does not take (400 naming it and the ones it takes): a misspelt or invented
/// filter (<c>?since=</c> where the route reads <c>from</c>) would otherwise be dropped in silence, and the caller would
/// take an unfiltered page for a filtered one. The names a route takes are its handler's query-bound parameters.
/// A parameter sent twice (binding would keep one, or fail with the binder's own words) and a text value longer than
/// any id, filter or cursor the platform makes are refused the same way, naming the parameter.
/// The OpenAI-compatible routes are left out: OpenAI's clients add their own (Azure's <c>api-version</c>).
/// </summary>
internal static class QueryParameterCheck
{
    /// <summary>The longest query value a route reads without a length of its own: ids are 64, cursors under 200.</summary>
    public const int MaxValueLength = 256;

    /// <summary>The endpoint filter factory: resolves the handler's query names once, at start-up.</summary>
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        if (context.MethodInfo.DeclaringType == typeof(OpenAi.OpenAiApi)) return next;
        var parameters = context.MethodInfo.GetParameters().Where(FromQuery).ToDictionary(p => p.Name!, StringComparer.OrdinalIgnoreCase);
        // Those with a length of their own ([StringLength]) are checked by it; the others here.
        var ownLength = parameters.Values.Where(p => p.GetCustomAttribute<StringLengthAttribute>() is not null).Select(p => p.Name!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return invocation =>
        {
            var request = invocation.HttpContext.Request;
            foreach (var (key, values) in request.Query)
            {
                // A name the path already binds (a route value) is dropped from the query as well.
                if (!parameters.TryGetValue(key, out var parameter) || request.RouteValues.ContainsKey(key))
                {
                    var takes = parameters.Keys.Where(n => !request.RouteValues.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
                    return Refuse($"Unknown query parameter '{Shown(key)}'. "
                        + (takes.Count == 0 ? "This route takes no query parameters." : $"This route takes: {string.Join(", ", takes)}."), Shown(key));
                }
                if (values.Count > 1 && !parameter.ParameterType.IsArray)
                    return Refuse(SentTwice(parameter.Name!, values.Count), parameter.Name!);
                if (values.Any(v => v?.Length > MaxValueLength) && !ownLength.Contains(key))
                    return Refuse($"{parameter.Name} must be at most {MaxValueLength} characters.", parameter.Name!);
            }
            return next(invocation);
        };
    }

    // A parameter minimal APIs bind from the query string or the path: a simple value with no other source named.
    private static bool FromQuery(ParameterInfo p)
    {
        if (p.GetCustomAttributes().Any(a => a is IFromServiceMetadata or IFromBodyMetadata or IFromHeaderMetadata or IFromRouteMetadata or IFromFormMetadata))
            return false;
        var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        if (type.IsArray) type = type.GetElementType()!;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTimeOffset)
            || type == typeof(DateTime) || type == typeof(DateOnly) || type == typeof(Guid) || type == typeof(TimeSpan);
    }

    /// <summary>What a 400 says of a query parameter sent more than once.</summary>
    public static string SentTwice(string name, int times) => $"Query parameter '{name}' was sent {times} times; send it once.";

    private static ValueTask<object?> Refuse(string detail, string field) => ValueTask.FromResult<object?>(Problems.BadRequest(detail, field));

    // The name as sent, cut short: it goes into the answer.
    private static string Shown(string key) => key.Length <= 40 ? key : key[..40] + "…";
}
