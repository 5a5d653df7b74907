namespace Conversations.Routing.Capacity;

/// <summary>
/// A model and the GPUs meant to serve it. Memory is in GiB (2^30 bytes): the sizing divides bytes by 2^30 and
/// compares with a card's nominal "96 GB", as vendors' sizing guides do. <see cref="OverheadFraction"/> is the share of each
/// card kept for the runtime, activations and fragmentation (0 by default, so the plain arithmetic is reproduced).
/// </summary>
public sealed record CapacityInputs(
    double ParameterCount,
    double BytesPerParameter,
    double KvCacheBytesPerToken,
    KvCacheLayout KvCacheLayout,
    double GpuMemoryGiBPerCard,
    int GpuCount,
    double OverheadFraction = 0)
{
    /// <summary>Bytes per parameter in FP32.</summary>
    public const double Fp32 = 4;

    /// <summary>Bytes per parameter in FP16 or BF16.</summary>
    public const double Fp16 = 2;

    /// <summary>Bytes per parameter in FP8 or INT8.</summary>
    public const double Fp8 = 1;

    /// <summary>Bytes per parameter in INT4.</summary>
    public const double Int4 = 0.5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (!(ParameterCount > 0) || !(BytesPerParameter > 0))
        {
            throw new ArgumentException($"Parameter count {ParameterCount} and bytes per parameter {BytesPerParameter} must be positive.");
        }

        if (!(KvCacheBytesPerToken > 0) || !Enum.IsDefined(KvCacheLayout))
        {
            throw new ArgumentException($"KV-cache bytes per token {KvCacheBytesPerToken} must be positive, with a known layout.");
        }

        if (!(GpuMemoryGiBPerCard > 0) || GpuCount < 1)
        {
            throw new ArgumentException($"GPU memory {GpuMemoryGiBPerCard} GiB per card and card count {GpuCount} must be positive.");
        }

        if (!(OverheadFraction is >= 0 and < 1))
        {
            throw new ArgumentException($"Overhead fraction {OverheadFraction} must be at least 0 and below 1.");
        }
    }
}
