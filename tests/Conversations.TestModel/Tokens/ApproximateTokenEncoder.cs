namespace Conversations.TestModel.Tokens;

/// <summary>Pseudo token ids: one per CJK character, one per run of up to four other characters.</summary>
internal sealed class ApproximateTokenEncoder : ITokenEncoder
{
    /// <summary>Latin characters counted as one token.</summary>
    private const int CharsPerToken = 4;

    /// <inheritdoc />
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / CharsPerToken + 1);
        var hash = 0u;
        var run = 0;
        foreach (var c in text)
        {
            if (AnswerComposer.IsCjk(c))
            {
                if (run > 0)
                {
                    ids.Add((int)(hash & 0x7FFFFFFF));
                    run = 0;
                    hash = 0;
                }

                ids.Add(c);
                continue;
            }

            hash = (hash * 31) + c;
            if (++run == CharsPerToken)
            {
                ids.Add((int)(hash & 0x7FFFFFFF));
                run = 0;
                hash = 0;
            }
        }

        if (run > 0)
        {
            ids.Add((int)(hash & 0x7FFFFFFF));
        }

        return [.. ids];
    }
}
