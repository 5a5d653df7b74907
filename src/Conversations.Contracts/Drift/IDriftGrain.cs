using Orleans.Concurrency;

namespace Conversations.Contracts.Drift;

/// <summary>
/// A tenant's drift sketch, key <c>{tenant}</c>: hears every finished turn, keeps a bounded sketch of the current window,
/// freezes the first full window (or the window an admin names) as the reference, and on a reminder (or an admin's call)
/// compares the window with the reference; a breach is stored as a drift event and counted on a metric.
/// </summary>
[Alias("drift")]
public interface IDriftGrain : IGrainWithStringKey
{
    /// <summary>
    /// Counts finished turns, in the order they ended: a silo sends its turns' samples together, about twice a second.
    /// One-way: no turn waits for, or fails by, the sketch.
    /// </summary>
    [Alias("record-many"), OneWay]
    Task RecordManyAsync(IReadOnlyList<DriftSample> samples);

    /// <summary>
    /// Removes what the sketch keeps of one user's questions (the sampled embeddings, and questions waiting for one) and
    /// ignores that user's samples from now on in this activation: a part of the user's erasure. Returns how many went.
    /// </summary>
    [Alias("forget-user")]
    Task<int> ForgetUserAsync(string userId);

    /// <summary>Compares the current window with the reference now, and starts a new window when it was compared.</summary>
    [Alias("check")]
    Task<DriftReport> CheckAsync();

    /// <summary>Makes the current window the reference; false when it has fewer questions than the minimum.</summary>
    [Alias("set-reference")]
    Task<bool> SetReferenceAsync();

    /// <summary>The sketch now.</summary>
    [Alias("status")]
    Task<DriftStatus> GetStatusAsync();

    /// <summary>Replaces the thresholds (validated by the caller).</summary>
    [Alias("set-thresholds")]
    Task<DriftStatus> SetThresholdsAsync(DriftThresholds thresholds);
}
