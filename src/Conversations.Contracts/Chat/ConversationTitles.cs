namespace Conversations.Contracts.Chat;

/// <summary>Titles the platform gives conversations it makes on a caller's behalf.</summary>
public static class ConversationTitles
{
    /// <summary>
    /// The title of a conversation the OpenAI-compatible route made for a request that named none, until its first
    /// question is stored (then the question titles it, see <see cref="FromQuestion"/>).
    /// </summary>
    public const string OneOff = "One-off completion (OpenAI-compatible API)";

    /// <summary>A title from a question, as the chat page makes one: its first line, cut at a word near 60 characters.</summary>
    public static string FromQuestion(string text)
    {
        var line = string.Join(' ', text.Trim().Split('\n')[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (line.Length <= 60) return line;
        var cut = line[..60];
        var space = cut.LastIndexOf(' ');
        return (space > 30 ? cut[..space] : cut) + "…";
    }
}
