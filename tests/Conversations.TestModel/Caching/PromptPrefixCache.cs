namespace Conversations.TestModel.Caching;

/// <summary>
/// Remembers the prefixes of earlier prompts as chained hashes of fixed-size token blocks, and says how many leading
/// tokens of a new prompt an earlier prompt already had: the <c>cached_tokens</c> a provider would report.
/// </summary>
internal sealed class PromptPrefixCache(PromptCacheOptions options)
{
    private readonly HashSet<ulong> known = [];
    private readonly Queue<ulong> age = new();
    private readonly Lock gate = new();

    /// <summary>Returns the cached tokens for this prompt, then remembers the prompt's own blocks.</summary>
    public int LookupAndRemember(ReadOnlySpan<int> tokens)
    {
        var block = Math.Max(1, options.BlockTokens);
        var blocks = tokens.Length / block;
        if (!options.Enabled || blocks == 0)
        {
            return 0;
        }

        // The hash at each block boundary covers every token before it, so equal hashes mean equal prefixes.
        Span<ulong> boundaries = blocks <= 1024 ? stackalloc ulong[blocks] : new ulong[blocks];
        var hash = 14695981039346656037UL;
        for (var b = 0; b < blocks; b++)
        {
            var slice = tokens.Slice(b * block, block);
            foreach (var token in slice)
            {
                hash = (hash ^ (uint)token) * 1099511628211UL;
            }

            boundaries[b] = hash;
        }

        var matched = 0;
        lock (gate)
        {
            while (matched < blocks && known.Contains(boundaries[matched]))
            {
                matched++;
            }

            for (var b = matched; b < blocks; b++)
            {
                if (known.Add(boundaries[b]))
                {
                    age.Enqueue(boundaries[b]);
                }
            }

            while (age.Count > options.CapacityBlocks)
            {
                known.Remove(age.Dequeue());
            }
        }

        var cached = matched * block;
        return cached >= options.MinimumTokens ? cached : 0;
    }

    /// <summary>Forgets every remembered prompt.</summary>
    public void Clear()
    {
        lock (gate)
        {
            known.Clear();
            age.Clear();
        }
    }
}
