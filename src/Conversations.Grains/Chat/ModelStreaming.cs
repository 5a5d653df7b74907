using System.Runtime.CompilerServices;
using Conversations.Grains.Health;
using Conversations.Models.Chat;
using Conversations.Routing.Health;

namespace Conversations.Grains.Chat;

/// <summary>One step of a guarded model stream: text, usage, the provider's finish reason, or the failure that ended it.</summary>
internal readonly record struct GuardedUpdate(string? Text, ModelUsage? Usage, ModelFailure? Failure, string? FinishReason = null);

/// <summary>Why a model stream ended early.</summary>
/// <param name="HealthKind">
/// The health report's name for the failure when the turn's code does not tell it apart (an endpoint that could not
/// be reached is "connection", while its turn code is model_unavailable as for a 5xx); null to derive it from the code.
/// </param>
internal sealed record ModelFailure(string Code, string Message, bool BeforeFirstToken, string? HealthKind = null);

/// <summary>Runs a model stream with a first-token timeout and a stall timeout, turning every failure into a value.</summary>
internal static class ModelStreaming
{
    /// <summary>Streams <paramref name="model"/>; never throws except for the caller's own cancellation.</summary>
    public static async IAsyncEnumerable<GuardedUpdate> GuardAsync(
        IChatModel model, ModelRequest request, TimeSpan firstTokenTimeout, TimeSpan stallTimeout,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var modelCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        IAsyncEnumerator<ModelUpdate>? e = null;
        var gotText = false;
        ModelFailure? failure = null;
        try
        {
            e = model.StreamAsync(request, modelCts.Token).GetAsyncEnumerator(modelCts.Token);
            while (true)
            {
                bool has;
                try
                {
                    has = await e.MoveNextAsync().AsTask().WaitAsync(gotText ? stallTimeout : firstTokenTimeout, ct);
                }
                catch (TimeoutException)
                {
                    failure = gotText
                        ? new ModelFailure("model_stalled", "The model stopped sending the answer part-way.", false)
                        : new ModelFailure("model_timeout", "The model did not start answering in time.", true);
                    break;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    var kind = ModelFailureCodes.KindOf(ex);
                    failure = new ModelFailure(FailureClassifier.TurnCode(kind), $"The model could not answer ({Describe(ex)}).", !gotText,
                        FailureClassifier.WireName(kind));
                    break;
                }
                if (!has) break;
                var u = e.Current;
                if (!string.IsNullOrEmpty(u.Text)) gotText = true;
                yield return new GuardedUpdate(u.Text, u.Usage, null, u.FinishReason);
            }
        }
        finally
        {
            // Stop the provider call before disposing so an abandoned stream does not keep a connection busy.
            await modelCts.CancelAsync();
            if (e is not null)
            {
                try { await e.DisposeAsync(); } catch { /* the stream already failed; nothing more to report */ }
            }
        }
        if (failure is not null) yield return new GuardedUpdate(null, null, failure);
    }

    private static string Describe(Exception ex) => ex switch
    {
        HttpRequestException h when h.StatusCode is { } s => $"HTTP {(int)s}",
        HttpRequestException => "connection failed",
        System.ClientModel.ClientResultException c when c.Status > 0 => $"HTTP {c.Status}",
        _ when ex.GetType().Name.Contains("ClientResult", StringComparison.Ordinal) => "provider error",
        _ => ex.GetType().Name,
    };
}
