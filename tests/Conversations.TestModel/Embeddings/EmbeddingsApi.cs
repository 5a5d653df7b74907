using System.Runtime.InteropServices;
using Conversations.TestModel.Behavior;

namespace Conversations.TestModel.Embeddings;

/// <summary>POST /v1/embeddings: pseudo-embeddings in OpenAI's response shape (float arrays or base64).</summary>
internal static class EmbeddingsApi
{
    public static async Task HandleAsync(HttpContext context, ServerRuntime runtime)
    {
        var (parsed, body) = await RequestJson.ReadAsync(context, ProtocolJsonContext.Default.EmbeddingRequestBody);
        if (!parsed) return; // RequestJson answered the 400 already

        if (body?.Model is not { Length: > 0 } model || body.Input is not { Count: > 0 } inputs)
        {
            await OpenAIErrors.WriteAsync(context, 400, "You must provide 'model' and a non-empty 'input'.");
            return;
        }

        if (body.Dimensions is < 1)
        {
            await OpenAIErrors.WriteAsync(context, 400, "'dimensions' must be at least 1.");
            return;
        }

        // A Status fault set for the embedding model's name answers as a failing provider would (other kinds are chat-only).
        if (runtime.Control.Resolve(model).TakeFault() is { Kind: FaultKind.Status } fault)
        {
            await OpenAIErrors.WriteAsync(context, fault.StatusCode, OpenAIErrors.InjectedMessage(fault.StatusCode), fault.RetryAfter);
            return;
        }

        runtime.Counters.EmbeddingRequested();
        foreach (var input in inputs)
        {
            runtime.EmbeddingInputs.Enqueue(input);
        }

        while (runtime.EmbeddingInputs.Count > TestModelOptions.DefaultRequestLogCapacity && runtime.EmbeddingInputs.TryDequeue(out _))
        {
        }

        var dimensions = body.Dimensions ?? runtime.Options.EmbeddingDimensions;
        var base64 = string.Equals(body.EncodingFormat, "base64", StringComparison.OrdinalIgnoreCase);
        var tokens = 0;
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            for (var i = 0; i < inputs.Count; i++)
            {
                tokens += runtime.Encoder.Encode(inputs[i]).Length;
                var vector = PseudoEmbedding.Embed(inputs[i], dimensions);
                writer.WriteStartObject();
                writer.WriteString("object", "embedding");
                writer.WriteNumber("index", i);
                if (base64)
                {
                    // OpenAI's base64 form is the little-endian float32 bytes.
                    writer.WriteBase64String("embedding", MemoryMarshal.AsBytes(vector.AsSpan()));
                }
                else
                {
                    writer.WriteStartArray("embedding");
                    foreach (var value in vector)
                    {
                        writer.WriteNumberValue(value);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("model", model);
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", tokens);
            writer.WriteNumber("total_tokens", tokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
