namespace Conversations.Routing.Drift;

/// <summary>One question and how its turn ended, as the drift sketch counts it.</summary>
/// <param name="Vector">The question's embedding, packed (<see cref="DriftVectors.Pack"/>); null when none was made.</param>
/// <param name="Searched">The knowledge base was searched for the question.</param>
/// <param name="Fallback">The answer came from a model or responder after the first choice failed.</param>
/// <param name="AnswerChars">The delivered answer's length; ignored unless <paramref name="Answered"/>.</param>
/// <param name="Owner">The user who asked (kept beside a sampled embedding, so that user's erasure removes it).</param>
public sealed record DriftObservation(
    byte[]? Vector, string Language, int QuestionChars, bool Refused, bool Answered, bool Searched, bool NoSources, bool Fallback, int AnswerChars,
    string? Owner = null);

/// <summary>
/// A fixed-size sketch of the questions of one window: exact counts (languages, length buckets, refusals, empty
/// searches, fallbacks, answer lengths) and a uniform reservoir sample of at most <see cref="ReservoirSize"/> packed
/// embeddings (Vitter's algorithm R), so its size is bounded however many questions arrive.
/// </summary>
public sealed class DriftWindow
{
    /// <summary>Most embeddings kept.</summary>
    public const int ReservoirSize = 200;

    /// <summary>Upper bounds (exclusive) of the question length buckets in characters; the last bucket is open.</summary>
    public static readonly int[] QuestionLengthBounds = [20, 40, 80, 160, 320];

    /// <summary>Upper bounds (exclusive) of the answer length buckets in characters; the last bucket is open.</summary>
    public static readonly int[] AnswerLengthBounds = [100, 300, 700, 1500, 3000];

    /// <summary>When the window began.</summary>
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>Questions seen.</summary>
    public long Questions { get; set; }
    /// <summary>Questions refused (by moderation or the router).</summary>
    public long Refused { get; set; }
    /// <summary>Questions that got a delivered answer.</summary>
    public long Answered { get; set; }
    /// <summary>Questions the knowledge base was searched for.</summary>
    public long Searched { get; set; }
    /// <summary>Searched questions that found no source.</summary>
    public long NoSources { get; set; }
    /// <summary>Answers that came from a fallback.</summary>
    public long Fallbacks { get; set; }
    /// <summary>Questions per <see cref="DriftLanguages.Buckets"/>.</summary>
    public long[] Languages { get; set; } = new long[DriftLanguages.Buckets.Count];
    /// <summary>Questions per length bucket (<see cref="QuestionLengthBounds"/>).</summary>
    public long[] QuestionLengths { get; set; } = new long[QuestionLengthBounds.Length + 1];
    /// <summary>Answers per length bucket (<see cref="AnswerLengthBounds"/>).</summary>
    public long[] AnswerLengths { get; set; } = new long[AnswerLengthBounds.Length + 1];
    /// <summary>Embeddings offered to the reservoir.</summary>
    public long Embedded { get; set; }
    /// <summary>The reservoir: a uniform sample of the window's embeddings.</summary>
    public List<byte[]> Reservoir { get; set; } = [];
    /// <summary>Who asked each reservoir question, index for index ("" when not known: sampled before owners were kept).</summary>
    public List<string> ReservoirOwners { get; set; } = [];

    /// <summary>Counts <paramref name="o"/>; <paramref name="random"/> decides whether its embedding replaces one in a full reservoir.</summary>
    public void Add(DriftObservation o, Random random)
    {
        Questions++;
        Languages[DriftLanguages.IndexOf(o.Language)]++;
        QuestionLengths[Bucket(o.QuestionChars, QuestionLengthBounds)]++;
        if (o.Refused) Refused++;
        if (o.Searched) Searched++;
        if (o.Searched && o.NoSources) NoSources++;
        if (o.Answered)
        {
            Answered++;
            AnswerLengths[Bucket(o.AnswerChars, AnswerLengthBounds)]++;
            if (o.Fallback) Fallbacks++;
        }
        if (o.Vector is not { Length: > 0 } vector) return;
        if (Reservoir.Count > 0 && Reservoir[0].Length != vector.Length) return; // the embedding model changed mid-window
        AlignOwners();
        Embedded++;
        if (Reservoir.Count < ReservoirSize)
        {
            Reservoir.Add(vector);
            ReservoirOwners.Add(o.Owner ?? "");
        }
        else if (random.NextInt64(Embedded) is var slot && slot < ReservoirSize)
        {
            Reservoir[(int)slot] = vector;
            ReservoirOwners[(int)slot] = o.Owner ?? "";
        }
    }

    /// <summary>
    /// Draws, before the embedding is made, whether the reservoir keeps the next one: Algorithm R needs only the count,
    /// so a question is embedded only when the sample keeps it (about <see cref="ReservoirSize"/> × (1 + ln(n / size))
    /// of n questions, not all n). Returns the slot for <see cref="Fill"/>, or -1. A slot appended here stays empty
    /// until filled; <see cref="DropUnfilled"/> removes the ones whose embedding failed.
    /// </summary>
    public int Offer(Random random)
    {
        AlignOwners();
        Embedded++;
        if (Reservoir.Count < ReservoirSize)
        {
            Reservoir.Add([]);
            ReservoirOwners.Add("");
            return Reservoir.Count - 1;
        }
        var slot = random.NextInt64(Embedded);
        return slot < ReservoirSize ? (int)slot : -1;
    }

    /// <summary>Puts the embedding drawn for <paramref name="slot"/> by <see cref="Offer"/> in its place, with who asked.</summary>
    public void Fill(int slot, byte[]? vector, string? owner = null)
    {
        if (vector is not { Length: > 0 } || slot < 0 || slot >= Reservoir.Count) return;
        if (Reservoir.FirstOrDefault(v => v.Length > 0) is { } kept && kept.Length != vector.Length) return; // the model changed mid-window
        AlignOwners();
        Reservoir[slot] = vector;
        ReservoirOwners[slot] = owner ?? "";
    }

    /// <summary>Removes the slots <see cref="Offer"/> appended whose embedding never came.</summary>
    public void DropUnfilled() => RemoveWhere(i => Reservoir[i].Length == 0);

    /// <summary>
    /// Removes the sampled embeddings of <paramref name="owner"/>'s questions (that user was erased); returns how many.
    /// The counts stay: they are totals that name nobody.
    /// </summary>
    public int Forget(string owner) => owner.Length == 0 ? 0 : RemoveWhere(i => ReservoirOwners[i] == owner);

    private int RemoveWhere(Func<int, bool> drop)
    {
        AlignOwners();
        var removed = 0;
        for (var i = Reservoir.Count - 1; i >= 0; i--)
        {
            if (!drop(i)) continue;
            Reservoir.RemoveAt(i);
            ReservoirOwners.RemoveAt(i);
            removed++;
        }
        return removed;
    }

    // A window stored before owners were kept has none: its samples are owned by nobody known ("").
    private void AlignOwners()
    {
        while (ReservoirOwners.Count < Reservoir.Count) ReservoirOwners.Add("");
        if (ReservoirOwners.Count > Reservoir.Count) ReservoirOwners.RemoveRange(Reservoir.Count, ReservoirOwners.Count - Reservoir.Count);
    }

    /// <summary>The bucket index of <paramref name="value"/> among <paramref name="bounds"/>.</summary>
    public static int Bucket(int value, int[] bounds)
    {
        var i = 0;
        while (i < bounds.Length && value >= bounds[i]) i++;
        return i;
    }
}
