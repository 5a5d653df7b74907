using Conversations.Contracts.Routing;

namespace Conversations.Api.Batches;

/// <summary>Body of POST /v1/batches.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
internal sealed record BatchBody(string? ModelId, IReadOnlyList<string>? Prompts, int? MaxOutputTokens);

/// <summary>One answered (or failed) prompt of a batch; the prompt as stored after its input check (null while pending).</summary>
internal sealed record BatchItemDto(int Index, string? Prompt, string Status, string? Answer, string? Error, int PromptTokens, int CachedTokens, int CompletionTokens, decimal CostUsd);

/// <summary>A page of batch results; <see cref="NextAfter"/> fetches the next one.</summary>
internal sealed record BatchResultsDto(BatchJobView Job, IReadOnlyList<BatchItemDto> Items, int? NextAfter);
