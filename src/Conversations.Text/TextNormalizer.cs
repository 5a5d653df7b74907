using System.Text;

namespace Conversations.Text;

/// <summary>The canonical form of a text: one newline style, no trailing spaces, NFC, no outer blank lines.</summary>
public static class TextNormalizer
{
    /// <summary>The canonical form of <paramref name="text"/>; empty for null or blank text.</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var unified = text.Replace("\r\n", "\n").Replace('\r', '\n').Normalize(NormalizationForm.FormC);
        var lines = unified.Split('\n').Select(l => l.TrimEnd());
        return string.Join('\n', lines).Trim('\n', ' ', '\t');
    }
}
