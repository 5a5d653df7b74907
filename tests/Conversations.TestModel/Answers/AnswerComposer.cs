namespace Conversations.TestModel.Answers;

/// <summary>Turns a behaviour and a request into the answer's pieces, one piece per streamed token.</summary>
internal static class AnswerComposer
{
    /// <summary>Words of the question repeated at the start of a generated answer.</summary>
    private const int QuestionWordsQuoted = 8;

    private static readonly string[] Filler =
    [
        " the", " answer", " is", " based", " on", " what", " you", " asked", " and", " it", " covers", " the",
        " main", " points", " in", " a", " short", " and", " clear", " way", " so", " that", " it", " helps",
        " with", " your", " question", " about", " this", " topic", " today", " here",
    ];

    /// <summary>The answer split into pieces; a piece is a word with its leading space (or one CJK character).</summary>
    public static List<string> Compose(ModelBehavior behavior, AnswerContext context)
    {
        if (behavior.AnswerFactory is { } factory)
        {
            return Split(factory(context));
        }

        if (behavior.ScriptedAnswer is { } scripted)
        {
            return Split(scripted);
        }

        if (behavior.Echo)
        {
            return Split(context.LastUserMessage);
        }

        return Generate(context, Math.Max(1, behavior.AnswerTokens));
    }

    /// <summary>"{model} answers: {first words of the question}" then deterministic filler up to the length.</summary>
    private static List<string> Generate(AnswerContext context, int tokens)
    {
        var pieces = new List<string>(tokens);
        pieces.Add(context.Model);
        pieces.Add(" answers:");
        var question = Split(context.LastUserMessage);
        for (var i = 0; i < question.Count && i < QuestionWordsQuoted && pieces.Count < tokens; i++)
        {
            var word = question[i];
            pieces.Add(word.Length > 0 && word[0] == ' ' ? word : " " + word);
        }

        // The filler starts at a place chosen by the question so different questions read differently.
        var start = (int)((uint)StableHash(context.LastUserMessage) % (uint)Filler.Length);
        for (var i = 0; pieces.Count < tokens; i++)
        {
            pieces.Add(Filler[(start + i) % Filler.Length]);
        }

        if (pieces.Count > tokens)
        {
            pieces.RemoveRange(tokens, pieces.Count - tokens);
        }

        return pieces;
    }

    /// <summary>Splits text at spaces (the space stays with the word after it) and around CJK characters.</summary>
    internal static List<string> Split(string text)
    {
        var pieces = new List<string>(text.Length / 5 + 1);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsCjk(c))
            {
                if (i > start)
                {
                    pieces.Add(text[start..i]);
                }

                pieces.Add(text.Substring(i, 1));
                start = i + 1;
            }
            else if (c == ' ' && i > start && text[i - 1] != ' ')
            {
                pieces.Add(text[start..i]);
                start = i;
            }
        }

        if (start < text.Length)
        {
            pieces.Add(text[start..]);
        }

        return pieces;
    }

    /// <summary>True for the CJK ideograph, kana and hangul ranges, where one character is about one token.</summary>
    internal static bool IsCjk(char c) =>
        c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
            or (>= '\uAC00' and <= '\uD7AF') or (>= '\uF900' and <= '\uFAFF') or (>= '\u3000' and <= '\u303F')
            or (>= '\uFF00' and <= '\uFFEF');

    /// <summary>FNV-1a over the characters: stable across processes, unlike string.GetHashCode.</summary>
    internal static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
