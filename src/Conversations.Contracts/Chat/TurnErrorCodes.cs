namespace Conversations.Contracts.Chat;

/// <summary>
/// The codes a turn's <see cref="ErrorEvent"/> carries. The API turns them into status codes and OpenAI's error codes,
/// and clients branch on them, so each is spelled once, here.
/// </summary>
public static class TurnErrorCodes
{
    /// <summary>The conversation does not exist, or was deleted before the question was stored.</summary>
    public const string NotFound = "not_found";

    /// <summary>Another answer in this conversation is still being written (retryable).</summary>
    public const string TurnInProgress = "turn_in_progress";

    /// <summary>A regenerated or edited question named a turn that is not the conversation's last answered one.</summary>
    public const string TurnNotLast = "turn_not_last";

    /// <summary>The turn id (Idempotency-Key) was already used for a different message.</summary>
    public const string IdempotencyKeyReused = "idempotency_key_reused";

    /// <summary>The tenant's data key was destroyed: nothing can be stored again.</summary>
    public const string DataDestroyed = "data_destroyed";

    /// <summary>The tenant was deleted while its answer was being written: its keys are gone, nothing can be resumed.</summary>
    public const string TenantDeleted = "tenant_deleted";

    /// <summary>The question could not be stored, so it was not sent (retryable).</summary>
    public const string StorageUnavailable = "storage_unavailable";

    /// <summary>The stream broke on the platform's side; the turn may still be resumed (retryable).</summary>
    public const string StreamFailed = "stream_failed";

    /// <summary>Input moderation refused the question.</summary>
    public const string InputRefused = "input_refused";

    /// <summary>Input moderation refused an image of the question.</summary>
    public const string ImageRefused = "image_refused";

    /// <summary>The moderation service that must check the question did not answer (retryable).</summary>
    public const string ModerationUnavailable = "moderation_unavailable";

    /// <summary>A stored turn that was refused for a reason other than input moderation.</summary>
    public const string Refused = "refused";

    /// <summary>The question carries an image and no model of the tenant reads images.</summary>
    public const string NoVisionModel = "no_vision_model";

    /// <summary>A budget is spent.</summary>
    public const string BudgetExhausted = "budget_exhausted";

    /// <summary>What is left of a budget cannot pay for the smallest answer.</summary>
    public const string BudgetTooSmall = "budget_too_small";

    /// <summary>The budget is held by answers in flight; it clears when they end (retryable).</summary>
    public const string BudgetBusy = "budget_busy";

    /// <summary>A stored answer the model stopped before it ended.</summary>
    public const string ModelIncomplete = "model_incomplete";

    /// <summary>A stored answer the model failed to give.</summary>
    public const string ModelFailed = "model_failed";

    /// <summary>The turn was stopped (cancelled) before its question was stored.</summary>
    public const string Stopped = "stopped";
}
