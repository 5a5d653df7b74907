using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Conversations.Api.Errors;

/// <summary>
/// Keeps strings described as strings in the OpenAPI document: the schema generator cannot see through a custom
/// converter such as <see cref="StorableStringConverter"/> and would describe every string as "any value".
/// </summary>
internal static class StorableStringSchema
{
    /// <summary>Registers the schema fix on the OpenAPI options.</summary>
    public static OpenApiOptions DescribeStringsAsStrings(this OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        if (context.JsonTypeInfo.Type == typeof(string) && schema.Type is null)
            schema.Type = context.JsonPropertyInfo is { IsSetNullable: true } ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        else if (context.JsonTypeInfo.ElementType == typeof(string) && context.JsonTypeInfo.KeyType is null && schema.Items is null)
            schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
        return Task.CompletedTask;
    });
}
