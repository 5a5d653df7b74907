using System.Diagnostics;
using System.Text;
using Conversations.Contracts.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// Stage 7 for a streamed answer: every piece the models write passes the turn's output guard before the user sees it.
/// Keeps what the models wrote (<see cref="Raw"/>: continuations and token counts) apart from what the user saw
/// (<see cref="Shown"/>: the only text stored).
/// </summary>
internal sealed class TurnAnswer(Stopwatch clock)
{
    /// <summary>Ends an answer the model stopped part-way when no other model can finish it.</summary>
    public const string CutOffNotice = "\n\n[This answer is incomplete: the model stopped responding part-way through. Please ask again for a full answer.]";

    private const string DefaultWithheldNotice = "The rest of this answer was withheld.";
    private readonly StringBuilder _raw = new();
    private readonly StringBuilder _shown = new();
    private IOutputGuard? _guard;

    /// <summary>What the models wrote, continuations included.</summary>
    public string Raw => _raw.ToString();
    /// <summary>True once a model wrote some text.</summary>
    public bool HasText => _raw.Length > 0;
    /// <summary>What the user saw: released text, notices included.</summary>
    public string Shown => _shown.ToString();
    /// <summary>The model that wrote the latest text; null while none has.</summary>
    public string? ModelName { get; private set; }
    /// <summary>When the user saw the first text, from the turn's start.</summary>
    public TimeSpan? FirstText { get; private set; }
    /// <summary>When the user saw the latest text, from the turn's start (with <see cref="FirstText"/>: time per output token).</summary>
    public TimeSpan? LastText { get; private set; }
    /// <summary>The guard withheld the rest of the answer.</summary>
    public bool Withheld { get; private set; }
    /// <summary>How the latest model attempt failed; null when it did not.</summary>
    public ModelFailure? Failure { get; set; }
    /// <summary>A backup model continued a cut answer.</summary>
    public bool Continued { get; set; }
    /// <summary>True when the last model stopped at the output token cap (finish reason "length").</summary>
    public bool HitOutputCap { get; set; }
    /// <summary>The answer ends with <see cref="CutOffNotice"/>.</summary>
    public bool CutOff { get; private set; }

    /// <summary>Starts guarding with the turn's output guard.</summary>
    public void Guard(IOutputGuard guard) => _guard = guard;

    /// <summary>Feeds a piece <paramref name="modelId"/> wrote through the guard; yields what the user may see now. Enumerate it to the end.</summary>
    public IEnumerable<ChatEvent> Push(string modelId, string text)
    {
        ModelName = modelId;
        _raw.Append(text);
        return Show(_guard!.Push(text));
    }

    /// <summary>The answer ended: waits for the guard's outside checks (Green windows) before <see cref="Complete"/>.</summary>
    public Task SettleAsync() => Withheld ? Task.CompletedTask : _guard!.SettleAsync();

    /// <summary>The answer ended: releases what the guard held back and, when a model stopped part-way, the notice saying so.</summary>
    public IEnumerable<ChatEvent> Complete()
    {
        if (!Withheld)
            foreach (var e in Show(_guard!.Complete())) yield return e;
        // No model could finish: say so in the answer itself, so the stored message and every client show it.
        CutOff = Failure is not null && _raw.Length > 0 && !Withheld;
        if (!CutOff) yield break;
        _shown.Append(CutOffNotice);
        yield return new DeltaEvent(CutOffNotice);
    }

    private IEnumerable<ChatEvent> Show(GuardedText safe)
    {
        if (safe.SafeText.Length > 0)
        {
            LastText = clock.Elapsed;
            FirstText ??= LastText;
            _shown.Append(safe.SafeText);
            yield return new DeltaEvent(safe.SafeText);
        }
        if (!safe.Withheld) yield break;
        Withheld = true;
        var notice = "\n\n" + (safe.Notice ?? DefaultWithheldNotice);
        _shown.Append(notice);
        yield return new DeltaEvent(notice);
    }
}
