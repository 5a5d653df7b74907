using System.Runtime.CompilerServices;
using System.Text;
using Conversations.Models.Chat;

namespace Conversations.Models.Extractive;

/// <summary>
/// The answer when no language model is configured (and the last fallback tier): quotes the sentences of the prompt's
/// context that share the most terms with the question, inside a template that says no model is running.
/// </summary>
public sealed class ExtractiveResponder : IChatModel
{
    /// <summary>Name recorded for answers from this responder.</summary>
    public const string ModelName = "extractive";

    private const int MaxQuotes = 3;

    /// <inheritdoc />
    public string Name => ModelName;

    /// <inheritdoc />
    public async IAsyncEnumerable<ModelUpdate> StreamAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var answer = Compose(request);
        // Stream word by word so clients exercise the same path as with a model.
        foreach (var piece in SplitForStreaming(answer))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ModelUpdate(piece);
        }
        await Task.CompletedTask;
    }

    /// <summary>Builds the whole answer for a prompt.</summary>
    public static string Compose(ModelRequest request)
    {
        var question = request.Messages.LastOrDefault(m => m.Role == PromptLine.User)?.Content ?? "";
        var chinese = TextTerms.IsMostlyChinese(question);
        var questionTerms = TextTerms.Terms(question);
        var quotes = request.Messages
            .Take(Math.Max(0, request.Messages.Count - 1))
            .Where(m => m.Role != PromptLine.System || m.Content.Contains("[source", StringComparison.Ordinal))
            .SelectMany(m => TextTerms.Sentences(m.Content))
            .Distinct()
            .Select(s => (Sentence: s, Score: TextTerms.Overlap(questionTerms, TextTerms.Terms(s))))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score)
            .Take(MaxQuotes)
            .Select(x => x.Sentence)
            .ToList();

        var sb = new StringBuilder();
        if (quotes.Count == 0)
        {
            sb.Append(chinese
                ? "我目前在没有语言模型的情况下运行，在本次对话和知识库中没有找到与您的问题相关的内容。请换个说法，或请管理员配置模型。"
                : "I'm running without a language model right now, and I found nothing in this conversation or the knowledge base that matches your question. Try rephrasing it, or ask your administrator to connect a model.");
            return sb.ToString();
        }
        sb.Append(chinese
            ? "我目前在没有语言模型的情况下运行，以下是与您的问题最相关的内容：\n"
            : "I'm running without a language model right now, so here is the most relevant context I found:\n");
        foreach (var q in quotes) sb.Append("\n> ").Append(q.Trim());
        return sb.ToString();
    }

    private static IEnumerable<string> SplitForStreaming(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            // Latin text streams by word; CJK text (no spaces) in runs of a few characters.
            if (text[i] == ' ' || text[i] == '\n' || (i - start >= 3 && text[i] > '\u2E80'))
            {
                yield return text[start..(i + 1)];
                start = i + 1;
            }
        }
        if (start < text.Length) yield return text[start..];
    }
}
