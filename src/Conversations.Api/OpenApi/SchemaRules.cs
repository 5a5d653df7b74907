using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Conversations.Api.OpenApi;

/// <summary>
/// Schema rules of the document: a property that may be null or absent is optional (only <c>[Required]</c> or a C#
/// <c>required</c> member keeps it required), and closed string sets are enums (<see cref="EnumValues"/>).
/// </summary>
internal static class SchemaRules
{
    /// <summary>Schema transformer applying the rules.</summary>
    public static Task ApplyAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (context.JsonPropertyInfo is { } property && EnumValues.For(property.DeclaringType, property.Name) is { } values)
            schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
        if (context.JsonPropertyInfo is null && context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && schema.Required is { Count: > 0 } required)
            foreach (var p in context.JsonTypeInfo.Properties)
                if (IsOptional(p)) required.Remove(p.Name);
        return Task.CompletedTask;
    }

    private static bool IsOptional(JsonPropertyInfo p) =>
        (p.IsGetNullable || p.IsSetNullable) && !p.IsRequired
        && !HasRequired(p.AttributeProvider) && !HasRequired(p.AssociatedParameter?.AttributeProvider);

    private static bool HasRequired(System.Reflection.ICustomAttributeProvider? provider) =>
        provider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true;
}
