namespace Conversations.Moderation.Matching;

/// <summary>Builds the flat-array automaton: trie, breadth-first renumbering, CSR edges, failure and output links.</summary>
internal static class AhoCorasickBuilder
{
    /// <summary>Symbols below this id (the most frequent chars) get dense rows in wide states.</summary>
    public const int DenseWidth = 64;

    public static AhoCorasickAutomaton Build(IReadOnlyList<string> patterns)
    {
        var symbolOf = BuildAlphabet(patterns, out var alphabetSize);

        // 1. Trie with temporary ids; one dictionary keyed by (node, symbol) instead of one per node.
        var children = new Dictionary<long, int>();
        var parent = new List<int> { -1 };
        var edgeSymbolOfNode = new List<ushort> { 0 };
        var outputs = new List<(int Node, int Pattern)>();
        for (var id = 0; id < patterns.Count; id++)
        {
            var pattern = patterns[id];
            if (string.IsNullOrEmpty(pattern))
                continue;
            var node = 0;
            foreach (var c in pattern)
            {
                var symbol = symbolOf[c];
                var key = ((long)node << 16) | symbol;
                if (!children.TryGetValue(key, out var child))
                {
                    child = parent.Count;
                    parent.Add(node);
                    edgeSymbolOfNode.Add(symbol);
                    children.Add(key, child);
                }
                node = child;
            }
            outputs.Add((node, id));
        }
        children.Clear();
        var nodeCount = parent.Count;

        // 2. Children of each temporary node, sorted by symbol (CSR over temporary ids).
        var order = new int[nodeCount - 1];
        var keys = new long[nodeCount - 1];
        for (var n = 1; n < nodeCount; n++)
        {
            order[n - 1] = n;
            keys[n - 1] = ((long)parent[n] << 16) | edgeSymbolOfNode[n];
        }
        Array.Sort(keys, order);
        var tempStart = new int[nodeCount + 1];
        for (var n = 1; n < nodeCount; n++)
            tempStart[parent[n] + 1]++;
        for (var n = 0; n < nodeCount; n++)
            tempStart[n + 1] += tempStart[n];

        // 3. Breadth-first renumbering: shallow states first, siblings adjacent.
        var newId = new int[nodeCount];
        var byNewId = new int[nodeCount];
        var next = 1;
        for (var head = 0; head < nodeCount; head++)
        {
            var old = byNewId[head];
            for (var k = tempStart[old]; k < tempStart[old + 1]; k++)
            {
                var child = order[k];
                newId[child] = next;
                byNewId[next++] = child;
            }
        }

        // 4. Final CSR edges and depths in new ids.
        var edgeStart = new int[nodeCount + 1];
        var edgeSymbol = new ushort[Math.Max(1, nodeCount - 1)];
        var edgeTarget = new int[Math.Max(1, nodeCount - 1)];
        var depth = new int[nodeCount];
        var e = 0;
        for (var s = 0; s < nodeCount; s++)
        {
            edgeStart[s] = e;
            var old = byNewId[s];
            for (var k = tempStart[old]; k < tempStart[old + 1]; k++)
            {
                var child = newId[order[k]];
                edgeSymbol[e] = edgeSymbolOfNode[order[k]];
                edgeTarget[e++] = child;
                depth[child] = depth[s] + 1;
            }
        }
        edgeStart[nodeCount] = e;
        var rootNext = new int[alphabetSize + 1];
        for (var k = edgeStart[0]; k < edgeStart[1]; k++)
            rootNext[edgeSymbol[k]] = edgeTarget[k];

        // 5. Failure links in breadth-first order (a state's fail target is always shallower, so already known).
        var fail = new int[nodeCount];
        for (var s = 1; s < nodeCount; s++)
        {
            for (var k = edgeStart[s]; k < edgeStart[s + 1]; k++)
                fail[edgeTarget[k]] = Goto(fail[s], edgeSymbol[k]);
        }

        // 6. Outputs (CSR) and dictionary-suffix links.
        var outStart = new int[nodeCount + 1];
        foreach (var (node, _) in outputs)
            outStart[newId[node] + 1]++;
        for (var s = 0; s < nodeCount; s++)
            outStart[s + 1] += outStart[s];
        var outPattern = new int[outputs.Count];
        var fill = (int[])outStart.Clone();
        outputs.Sort((a, b) => a.Pattern.CompareTo(b.Pattern));
        foreach (var (node, pattern) in outputs)
            outPattern[fill[newId[node]]++] = pattern;
        var dictLink = new int[nodeCount];
        var firstOutput = new int[nodeCount];
        for (var s = 1; s < nodeCount; s++)
        {
            var f = fail[s];
            dictLink[s] = outStart[f + 1] > outStart[f] ? f : dictLink[f];
            firstOutput[s] = outStart[s + 1] > outStart[s] ? s : dictLink[s];
        }

        // 7. Complete low-symbol rows for wide states: the goto-or-fail transition itself, so a step from a wide state on
        // a frequent char is one read whether or not the state has that edge (no failure chain at run time).
        var denseIndex = new int[nodeCount];
        Array.Fill(denseIndex, -1);
        var rows = new List<int>();
        for (var s = 1; s < nodeCount; s++)
        {
            if (edgeStart[s + 1] - edgeStart[s] <= EdgeHashTable.MaxLinearDegree)
                continue;
            denseIndex[s] = rows.Count;
            for (var symbol = 0; symbol < DenseWidth; symbol++)
                rows.Add(symbol == 0 || symbol > alphabetSize ? 0 : Goto(s, (ushort)symbol));
        }
        var denseRows = rows.ToArray();

        return new AhoCorasickAutomaton(
            symbolOf, rootNext, edgeStart, edgeSymbol, edgeTarget, fail, depth, firstOutput, dictLink, outStart, outPattern,
            patterns.Count, alphabetSize, EdgeHashTable.Build(edgeStart, edgeSymbol, edgeTarget),
            EdgeFilter.Build(edgeStart, edgeSymbol), EdgeFilter.BuildSymbolPairs(edgeStart, edgeSymbol, edgeTarget), denseIndex, denseRows);

        int Goto(int state, ushort symbol)
        {
            while (true)
            {
                if (state == 0)
                    return rootNext[symbol];
                for (var k = edgeStart[state]; k < edgeStart[state + 1]; k++)
                {
                    if (edgeSymbol[k] == symbol)
                        return edgeTarget[k];
                }
                state = fail[state];
            }
        }
    }

    /// <summary>Dense symbol ids, most frequent chars first; 0 means "in no pattern".</summary>
    private static ushort[] BuildAlphabet(IReadOnlyList<string> patterns, out int alphabetSize)
    {
        var frequency = new int[65536];
        foreach (var pattern in patterns)
        {
            if (pattern is null)
                continue;
            foreach (var c in pattern)
                frequency[c]++;
        }
        var used = new List<int>();
        for (var c = 0; c < frequency.Length; c++)
        {
            if (frequency[c] > 0)
                used.Add(c);
        }
        if (used.Count > ushort.MaxValue)
            throw new ArgumentException("Patterns use more distinct chars than the automaton supports.", nameof(patterns));
        used.Sort((a, b) => frequency[b].CompareTo(frequency[a]));
        var symbolOf = new ushort[65536];
        for (var i = 0; i < used.Count; i++)
            symbolOf[used[i]] = (ushort)(i + 1);
        alphabetSize = used.Count;
        return symbolOf;
    }
}
