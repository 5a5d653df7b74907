using Orleans.Concurrency;

namespace Conversations.Contracts.Routing;

/// <summary>An offline batch: prompts answered later, at low priority, priced at the model's batch rate.</summary>
/// <param name="Role">The role of the submitting key (its items are moderated and billed as that caller's turns).</param>
[GenerateSerializer, Immutable, Alias("batch-spec")]
public sealed record BatchJobSpec(
    [property: Id(0)] string UserId,
    [property: Id(1)] string ModelId,
    [property: Id(2)] IReadOnlyList<string> Prompts,
    [property: Id(3)] int MaxOutputTokens,
    [property: Id(4)] string Role = Roles.User)
{
    /// <summary>Most prompts in one job.</summary>
    public const int MaxPrompts = 1000;

    /// <summary>Longest prompt in characters.</summary>
    public const int MaxPromptChars = 16_000;

    /// <summary>
    /// What is wrong with a job's prompts or output limit, with the field (null when nothing): checked by the API before
    /// the submission counts against the caller's limits, and by the job itself.
    /// </summary>
    public static (string Detail, string Field)? ShapeProblem(IReadOnlyList<string>? prompts, int maxOutputTokens)
    {
        if (prompts is not { Count: > 0 and <= MaxPrompts }) return ($"prompts must hold 1 to {MaxPrompts} prompts.", "prompts");
        for (var i = 0; i < prompts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(prompts[i]) || prompts[i].Length > MaxPromptChars)
                return ($"Every prompt must have text and at most {MaxPromptChars} characters; prompts[{i}] does not.", $"prompts[{i}]");
        }

        return maxOutputTokens is < 1 or > 8192 ? ("maxOutputTokens must be between 1 and 8192.", "maxOutputTokens") : null;
    }
}

/// <summary>A batch job's progress ("queued", "running", "completed", or "cancelled" with its unrun items failed).</summary>
[GenerateSerializer, Immutable, Alias("batch-view")]
public sealed record BatchJobView(
    [property: Id(0)] string JobId,
    [property: Id(1)] string Status,
    [property: Id(2)] string ModelId,
    [property: Id(3)] int Total,
    [property: Id(4)] int Succeeded,
    [property: Id(5)] int Failed,
    [property: Id(6)] decimal CostUsd,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset? CompletedAt,
    [property: Id(9)] string UserId)
{
    /// <summary>
    /// What a job that is not done waits for before its next prompt: "queue" while the tenant's other jobs hold every
    /// running slot, "budget" while the monthly budget has no room, "model" while its model's circuit is open,
    /// "rate_limit" while the token limits keep the interactive share, "moderation" while outside moderation cannot
    /// check a prompt the tenant refuses unchecked; null otherwise.
    /// </summary>
    [Id(10)] public string? WaitingFor { get; init; }
}

/// <summary>One batch job, key <c>{tenant}/{job}</c>: stores the prompts, works through them one at a time on a timer, resumes after a crash by reminder.</summary>
[Alias("batch-job")]
public interface IBatchJobGrain : IGrainWithStringKey
{
    /// <summary>Accepts the job (idempotent for the same id) and starts working in the background.</summary>
    [Alias("start")]
    Task<BatchJobView> StartAsync(BatchJobSpec spec);

    /// <summary>The job's progress, or null when no such job exists. Answers at once, also while an item is being answered.</summary>
    [AlwaysInterleave]
    [Alias("get")]
    Task<BatchJobView?> GetAsync();

    /// <summary>
    /// Stops the job (its timer and resume reminder) and forgets it: the state row goes, the activation with it, and
    /// the job is not found from then on. Its items' rows are the caller's to delete (after this call, so no item is
    /// written back). For a deleted owner.
    /// </summary>
    [Alias("erase")]
    Task EraseAsync();

    /// <summary>
    /// Stops the job: the item being answered has its model call stopped, items not yet answered end failed as cancelled
    /// (their prompts, never checked, are not kept), those already answered stay. A finished job is left as it is. Null
    /// when there is no such job. Does not wait for the item in flight to be answered.
    /// </summary>
    [AlwaysInterleave]
    [Alias("cancel")]
    Task<BatchJobView?> CancelAsync();
}
