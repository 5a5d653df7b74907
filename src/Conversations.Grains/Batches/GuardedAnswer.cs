using System.Text;
using Conversations.Grains.Chat;
using Conversations.Models.Chat;

namespace Conversations.Grains.Batches;

/// <summary>
/// A whole answer read from a model through a turn's output guard (stage 7 without streaming to a user): what the
/// model produced (<see cref="Raw"/>, for token counts only) and what the guard let through (<see cref="Shown"/>,
/// masked; the only text that may be stored).
/// </summary>
/// <param name="WithheldNotice">Set when a blocking finding withheld the rest of the answer: says why, gently.</param>
/// <param name="Failure">The model call's error, when it failed.</param>
/// <param name="Cancelled">True when the caller's token stopped the call: what it produced so far is still returned, to be billed.</param>
internal sealed record GuardedAnswer(string Raw, string Shown, ModelUsage? Reported, string? WithheldNotice, Exception? Failure, bool Cancelled = false)
{
    private const string DefaultNotice = "The rest of this answer was withheld.";

    /// <summary>
    /// Calls <paramref name="model"/> and passes every piece through <paramref name="guard"/>; a withheld answer stops
    /// the call. The guard is always completed (its findings become the turn's output event), also after a failure.
    /// Cancellation by <paramref name="cancellationToken"/> ends the answer with <see cref="Cancelled"/> set (the call ran and
    /// is billed); any other error is returned in <see cref="Failure"/>.
    /// </summary>
    public static async Task<GuardedAnswer> ReadAsync(IChatModel model, ModelRequest request, IOutputGuard guard, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var raw = new StringBuilder();
        var shown = new StringBuilder();
        ModelUsage? reported = null;
        string? notice = null;
        Exception? failure = null;
        var cancelled = false;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            await foreach (var update in model.StreamAsync(request, limit.Token))
            {
                if (update.Usage is { IsPlausible: true } u) reported = u;
                if (string.IsNullOrEmpty(update.Text)) continue;
                raw.Append(update.Text);
                var safe = guard.Push(update.Text);
                shown.Append(safe.SafeText);
                if (safe.Withheld)
                {
                    notice = safe.Notice ?? DefaultNotice;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (Exception e)
        {
            failure = e;
        }
        if (notice is null)
        {
            await guard.SettleAsync();
            var tail = guard.Complete();
            shown.Append(tail.SafeText);
            if (tail.Withheld) notice = tail.Notice ?? DefaultNotice;
        }
        return new GuardedAnswer(raw.ToString(), shown.ToString(), reported, notice, failure, cancelled);
    }
}
