namespace Conversations.Api.Capacity;

/// <summary>
/// Body of POST /v1/capacity/estimate: parameters, bytes per parameter (or a precision name: fp32, fp16, bf16, fp8,
/// int8, int4), KV-cache bytes per token and its layout ("replicated" per card, e.g. MLA, or "sharded"), GPU memory
/// per card in GiB, card count, the share kept for overhead, and the context lengths to report.
/// </summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
internal sealed record CapacityBody(
    double? ParameterCount, double? BytesPerParameter, string? Precision, double? KvCacheBytesPerToken, string? KvCacheLayout,
    double? GpuMemoryGiB, int? GpuCount, double? OverheadFraction, IReadOnlyList<int>? ContextLengths);
