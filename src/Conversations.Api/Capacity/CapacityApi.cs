using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Routing.Capacity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Capacity;

/// <summary>The GPU capacity estimator: memory split and concurrent requests per context length.</summary>
internal static class CapacityApi
{
    /// <summary>Context lengths reported when the body names none.</summary>
    public static readonly IReadOnlyList<int> DefaultContextLengths = [4096, 8192, 32768, 65536, 131072];

    /// <summary>Maps the route under <c>/v1/capacity</c>.</summary>
    public static RouteGroupBuilder MapCapacityApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/capacity/estimate", Estimate).WithTags("Capacity").WithName("EstimateCapacity")
            .WithSummary("Weights per card, KV-cache room, and concurrent requests per context length for a model on a set of GPUs.")
            .RequireRoles(Roles.TenantAdmin, Roles.Operator);
        return v1;
    }

    private static Results<Ok<CapacityEstimate>, ProblemHttpResult> Estimate(CapacityBody body)
    {
        if (body.ParameterCount is not > 0) return Problems.BadRequest("parameterCount is required (e.g. 671e9).");
        var bytes = body.BytesPerParameter ?? body.Precision?.Trim().ToLowerInvariant() switch
        {
            "fp32" => CapacityInputs.Fp32,
            "fp16" or "bf16" => CapacityInputs.Fp16,
            "fp8" or "int8" => CapacityInputs.Fp8,
            "int4" => CapacityInputs.Int4,
            _ => (double?)null,
        };
        if (bytes is null) return Problems.BadRequest("Give bytesPerParameter, or precision as fp32, fp16, bf16, fp8, int8 or int4.");
        var layout = body.KvCacheLayout?.Trim().ToLowerInvariant() switch
        {
            null or "" or "replicated" => KvCacheLayout.ReplicatedPerCard,
            "sharded" => KvCacheLayout.ShardedAcrossCards,
            _ => (KvCacheLayout?)null,
        };
        if (layout is null) return Problems.BadRequest("kvCacheLayout must be \"replicated\" (every card holds the whole cache, e.g. MLA) or \"sharded\".");
        if (body.KvCacheBytesPerToken is null || body.GpuMemoryGiB is null || body.GpuCount is null)
            return Problems.BadRequest("kvCacheBytesPerToken, gpuMemoryGiB and gpuCount are required.");
        // Bounds far outside any real set-up, so every figure of the estimate is a finite number.
        if ((OutOfRange("parameterCount", body.ParameterCount, 1, 1e15) ?? OutOfRange("bytesPerParameter", bytes, 0.01, 64)
            ?? OutOfRange("kvCacheBytesPerToken", body.KvCacheBytesPerToken, 0, 1e9) ?? OutOfRange("gpuMemoryGiB", body.GpuMemoryGiB, 0.01, 1e6)
            ?? OutOfRange("gpuCount", body.GpuCount, 1, 1e6) ?? OutOfRange("overheadFraction", body.OverheadFraction, 0, 0.99)) is { } range)
            return Problems.BadRequest(range);
        var lengths = body.ContextLengths is { Count: > 0 } l ? l : DefaultContextLengths;
        if (lengths.Count > 32 || lengths.Any(x => x < 1)) return Problems.BadRequest("contextLengths must hold 1 to 32 positive token counts.");
        var inputs = new CapacityInputs(body.ParameterCount.Value, bytes.Value, body.KvCacheBytesPerToken.Value, layout.Value,
            body.GpuMemoryGiB.Value, body.GpuCount.Value, body.OverheadFraction ?? 0);
        // Out-of-range values throw ArgumentException, answered as a 400 naming the value.
        return TypedResults.Ok(CapacityEstimator.Estimate(inputs, lengths));
    }

    private static string? OutOfRange(string field, double? value, double min, double max) =>
        value is { } v && (!double.IsFinite(v) || v < min || v > max)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{field} must be between {min:G} and {max:G}.")
            : null;
}
