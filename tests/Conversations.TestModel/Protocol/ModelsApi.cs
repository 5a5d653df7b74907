namespace Conversations.TestModel.Protocol;

/// <summary>GET /v1/models: the model names with their own behaviour (or the default name when there are none).</summary>
internal static class ModelsApi
{
    public static async Task HandleAsync(HttpContext context, ServerRuntime runtime)
    {
        var names = runtime.Control.Models.Keys.Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            names.Add(TestModelOptions.DefaultModelName);
        }

        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            foreach (var name in names)
            {
                writer.WriteStartObject();
                writer.WriteString("id", name);
                writer.WriteString("object", "model");
                writer.WriteNumber("created", 0);
                writer.WriteString("owned_by", "conversations-test");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
