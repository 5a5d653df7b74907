using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Conversations.Api.Errors;

/// <summary>
/// Refuses a query parameter the route does not take (400 naming it and the ones it takes): a misspelt or invented
/// filter (<c>?since=</c> where the route reads <c>from</c>) would otherwise be dropped in silence, and the caller would
/// take an unfiltered page for a filtered one. The names a route takes are its handler's query-bound parameters.
/// The OpenAI-compatible routes are left out: OpenAI's clients add their own (Azure's <c>api-version</c>).
/// </summary>
internal static class UnknownQueryCheck
{
    /// <summary>The endpoint filter factory: resolves the handler's query names once, at start-up.</summary>
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        if (context.MethodInfo.DeclaringType == typeof(OpenAi.OpenAiApi)) return next;
        var names = context.MethodInfo.GetParameters().Where(FromQuery).Select(p => p.Name!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return invocation =>
        {
            var request = invocation.HttpContext.Request;
            foreach (var key in request.Query.Keys)
            {
                // A name the path already binds (a route value) is dropped from the query as well.
                if (names.Contains(key) && !request.RouteValues.ContainsKey(key)) continue;
                var takes = names.Where(n => !request.RouteValues.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
                return ValueTask.FromResult<object?>(Problems.BadRequest($"Unknown query parameter '{Shown(key)}'. "
                    + (takes.Count == 0 ? "This route takes no query parameters." : $"This route takes: {string.Join(", ", takes)}."), Shown(key)));
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

    // The name as sent, cut short: it goes into the answer.
    private static string Shown(string key) => key.Length <= 40 ? key : key[..40] + "…";
}
