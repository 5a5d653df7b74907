using System.Runtime.CompilerServices;
using System.Text;
using Conversations.Models.Chat;
using Conversations.Prompting.History;
using Conversations.Prompting.Layout;
using Conversations.Text;

namespace Conversations.Models.Extractive;

/// <summary>
/// The answer when no language model is configured (and the last fallback tier): quotes the sentences of the retrieved
/// sources and the recent turns that share the most terms with the question, inside a template that says no model is running.
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
    /// <remarks>
    /// The final user message is the question, followed by the retrieved sources under
    /// <see cref="PromptBuilder.SourcesHeading"/> when there are any. Quotes come from those sources first (marked
    /// with their id, as a model would cite them), then from the earlier turns; never from the system message, which
    /// holds instructions, not knowledge.
    /// </remarks>
    public static string Compose(ModelRequest request)
    {
        var last = request.Messages.Count == 0 ? null : request.Messages[^1];
        var (question, sources) = SplitFinalMessage(last?.Role == ChatRoles.User ? last.Content : "");
        var chinese = Languages.IsChinese(question);
        var questionTerms = TextTerms.Terms(question);
        var history = request.Messages
            .Take(Math.Max(0, request.Messages.Count - 1))
            .Where(m => m.Role != ChatRoles.System)
            .SelectMany(m => Statements(m.Content))
            .Select(s => (Sentence: s, Source: (string?)null));
        var quotes = SourceSentences(sources).Concat(history)
            .DistinctBy(x => x.Sentence)
            .Select((x, order) => (x.Sentence, x.Source, Score: TextTerms.Overlap(questionTerms, TextTerms.Terms(x.Sentence)), Order: order))
            .Where(x => x.Score > 0 && IsStatement(x.Sentence))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Order) // on a tie: sources before history, and in their ranked order
            .Take(MaxQuotes)
            .ToList();

        var sb = new StringBuilder();
        if (quotes.Count == 0)
        {
            // With sources, they are listed under the answer: say what they are rather than that nothing was found.
            // Without any, the likeliest cause for a user is access, not a missing model.
            var anySources = SourceSentences(sources).Any();
            sb.Append((chinese, anySources) switch
            {
                (true, true) => "我目前在没有语言模型的情况下运行，无法从知识库中挑出直接回答您问题的句子。下面列出的来源是最接近的内容，可以打开查看。",
                (true, false) => "我目前在没有语言模型的情况下运行，在本次对话和您可以查看的知识库内容中没有找到与您的问题相关的内容。请换个说法；如果您认为公司文档中应有答案，请询问管理员您是否有相应的访问权限。",
                (false, true) => "I'm running without a language model right now, and I couldn't pick out a sentence that answers your question. The sources listed below are the closest matches in the knowledge base; open them to read more.",
                (false, false) => "I'm running without a language model right now, and I found nothing in this conversation or the knowledge base you can read that matches your question. Try rephrasing it; if you expected an answer from your company's documents, ask your administrator whether you have access to them.",
            });
            return sb.ToString();
        }
        sb.Append(chinese
            ? "我目前在没有语言模型的情况下运行，以下是与您的问题最相关的内容：\n"
            : "I'm running without a language model right now, so here is the most relevant context I found:\n");
        foreach (var q in quotes)
        {
            sb.Append("\n> ").Append(q.Sentence.Trim());
            if (q.Source is not null) sb.Append(" [").Append(q.Source).Append(']');
        }
        return sb.ToString();
    }

    // Headings and earlier questions share the question's words but answer nothing.
    private static bool IsStatement(string sentence)
    {
        var t = sentence.Trim();
        return t.Length > 0 && t[0] != '#' && t[^1] is not ('?' or '？');
    }

    // The question, and the sources block after it (empty without retrieval).
    private static (string Question, string Sources) SplitFinalMessage(string content)
    {
        var at = content.IndexOf(PromptBuilder.SourcesHeading, StringComparison.Ordinal);
        return at < 0 ? (content, "") : (content[..at].TrimEnd(), content[(at + PromptBuilder.SourcesHeading.Length)..]);
    }

    // Sentences long enough to quote.
    private static IEnumerable<string> Statements(string text) =>
        Sentences.Split(text).Select(s => s.Sentence).Where(s => s.Length > 3);

    // Sentences of each source block ("[id] title" header line, then the text), tagged with the block's id.
    private static IEnumerable<(string Sentence, string? Source)> SourceSentences(string sources)
    {
        foreach (var block in sources.Split("\n\n[", StringSplitOptions.RemoveEmptyEntries))
        {
            var text = block.TrimStart().TrimStart('[');
            var close = text.IndexOf(']');
            var newline = text.IndexOf('\n');
            if (close <= 0 || newline < close) continue;
            var id = text[..close];
            foreach (var sentence in Statements(text[(newline + 1)..]))
                yield return (sentence, id);
        }
    }

    private static IEnumerable<string> SplitForStreaming(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            // Latin text streams by word; CJK text (no spaces) in runs of a few characters.
            if (text[i] == ' ' || text[i] == '\n' || (i - start >= 3 && (Scripts.IsCjk(text[i]) || Scripts.IsCjkPunctuation(text[i]))))
            {
                yield return text[start..(i + 1)];
                start = i + 1;
            }
        }
        if (start < text.Length) yield return text[start..];
    }
}
