namespace Conversations.Text;

/// <summary>Splits English and Chinese text into sentences: the one splitter the summaries, memory and extractive answers share.</summary>
public static class Sentences
{
    /// <summary>
    /// Trimmed sentences of <paramref name="text"/>, each flagged when it ends in a question mark. A sentence ends at
    /// 。！？；, a line break, or . ! ? ; before whitespace or the end of the text ("hr@demo.example" and "3.5" do
    /// not end one); a piece that is only a terminator is dropped.
    /// </summary>
    public static IEnumerable<(string Sentence, bool IsQuestion)> Split(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var latinEnd = c is '.' or '!' or '?' or ';' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1]));
            if (!latinEnd && c is not ('。' or '！' or '？' or '；' or '\n')) continue;
            var sentence = text[start..(i + 1)].Trim();
            if (sentence.Length > 1 || (sentence.Length == 1 && !IsTerminator(sentence[0])))
                yield return (sentence, c is '?' or '？');
            start = i + 1;
        }
        var rest = text[start..].Trim();
        if (rest.Length > 0) yield return (rest, false);
    }

    private static bool IsTerminator(char c) => c is '。' or '！' or '？' or '；' or '.' or '!' or '?' or ';';
}
