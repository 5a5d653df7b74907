using Microsoft.ML.Tokenizers;

namespace Conversations.TestModel.Tokens;

/// <summary>o200k_base token ids, memoized per text because conversations resend the same messages every turn.</summary>
internal sealed class O200kTokenEncoder : ITokenEncoder
{
    /// <summary>Texts remembered before the memo is emptied and starts again.</summary>
    private const int MemoCapacity = 20_000;

    private static readonly Lazy<Tokenizer> SharedTokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    private readonly Dictionary<string, int[]> memo = new(StringComparer.Ordinal);
    private readonly Lock memoLock = new();

    /// <inheritdoc />
    public int[] Encode(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        lock (memoLock)
        {
            if (memo.TryGetValue(text, out var known))
            {
                return known;
            }
        }

        var ids = SharedTokenizer.Value.EncodeToIds(text).ToArray();
        lock (memoLock)
        {
            if (memo.Count >= MemoCapacity)
            {
                memo.Clear();
            }

            memo[text] = ids;
        }

        return ids;
    }
}
