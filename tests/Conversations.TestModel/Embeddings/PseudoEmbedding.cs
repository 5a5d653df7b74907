namespace Conversations.TestModel.Embeddings;

/// <summary>
/// Deterministic unit vectors from hashed words (feature hashing): equal texts give equal vectors, and texts sharing
/// words point in similar directions, which is enough to exercise similarity thresholds without a model.
/// </summary>
public static class PseudoEmbedding
{
    /// <summary>Dimensions each word adds to (with hash-chosen signs).</summary>
    private const int FeaturesPerWord = 4;

    /// <summary>The unit vector of <paramref name="text"/> with <paramref name="dimensions"/> components.</summary>
    public static float[] Embed(string text, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var vector = new float[dimensions];
        var words = 0;
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (AnswerComposer.IsCjk(c))
            {
                AddWordRange(text, ref start, i, vector, ref words);
                AddWord(c.ToString(), vector);
                words++;
            }
            else if (char.IsLetterOrDigit(c))
            {
                start = start < 0 ? i : start;
            }
            else
            {
                AddWordRange(text, ref start, i, vector, ref words);
            }
        }

        if (words == 0)
        {
            AddWord(text, vector);
        }

        Normalize(vector);
        return vector;
    }

    private static void AddWordRange(string text, ref int start, int end, float[] vector, ref int words)
    {
        if (start >= 0)
        {
            AddWord(text[start..end].ToLowerInvariant(), vector);
            words++;
            start = -1;
        }
    }

    private static void AddWord(string word, float[] vector)
    {
        var hash = AnswerComposer.StableHash(word);
        for (var k = 0; k < FeaturesPerWord; k++)
        {
            // A multiplicative step per feature gives independent-looking indexes and signs from one hash.
            hash = (hash ^ (hash >> 29)) * 0xBF58476D1CE4E5B9UL;
            var index = (int)(hash % (ulong)vector.Length);
            vector[index] += (hash & (1UL << 63)) == 0 ? 1f : -1f;
        }
    }

    private static void Normalize(float[] vector)
    {
        var sum = 0.0;
        foreach (var value in vector)
        {
            sum += value * value;
        }

        if (sum == 0)
        {
            vector[0] = 1f;
            return;
        }

        var scale = (float)(1.0 / Math.Sqrt(sum));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }
}
