using System.Security.Cryptography;
using System.Text;
using Conversations.Prompting.Memory;
using Conversations.Text;

namespace Conversations.Prompting.Layout;

/// <summary>
/// Renders the stable prefix deterministically: fixed section order and headings, normalized text, memory facts in
/// their stored order, and nothing that varies by call (no dates, ids or dictionary order).
/// </summary>
internal static class StablePrefixRenderer
{
    /// <summary>Heading before the tenant's instructions.</summary>
    public const string TenantHeading = "# Organization instructions";

    /// <summary>Heading before the concise-answer instruction.</summary>
    public const string AnswerStyleHeading = "# Answer style";

    /// <summary>Heading before the user memory.</summary>
    public const string MemoryHeading = "# About the user";

    /// <summary>Heading before the conversation summary.</summary>
    public const string SummaryHeading = "# Earlier in this conversation (summary)";

    /// <summary>The prefix text for a request; sections that are empty are left out.</summary>
    public static string Render(PromptRequest request, string? summaryOverride = null)
    {
        var sections = new List<string>(5);
        Add(sections, null, request.SystemPrompt);
        Add(sections, TenantHeading, request.TenantInstructions);
        Add(sections, AnswerStyleHeading, request.ConciseAnswerInstruction);
        Add(sections, MemoryHeading, UserMemory.Render(request.MemoryFacts));
        Add(sections, SummaryHeading, summaryOverride ?? request.ConversationSummary);
        return string.Join("\n\n", sections);
    }

    /// <summary>Lower-case SHA-256 hex of <paramref name="text"/> in UTF-8.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static void Add(List<string> sections, string? heading, string? body)
    {
        var text = TextNormalizer.Normalize(body);
        if (text.Length == 0) return;
        sections.Add(heading is null ? text : heading + "\n" + text);
    }
}
