namespace Conversations.TestModel.Protocol;

/// <summary>Source-generated JSON for the OpenAI request bodies the server reads; their fields are OpenAI's snake_case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ChatCompletionRequestBody))]
[JsonSerializable(typeof(EmbeddingRequestBody))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
