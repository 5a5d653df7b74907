using System.Text;

namespace Conversations.Prompting;

/// <summary>Canonical text for the cached prefix: one newline style, no trailing spaces, NFC, no outer blank lines.</summary>
internal static class TextNormalizer
{
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var unified = text.Replace("\r\n", "\n").Replace('\r', '\n').Normalize(NormalizationForm.FormC);
        var lines = unified.Split('\n').Select(l => l.TrimEnd());
        return string.Join('\n', lines).Trim('\n', ' ', '\t');
    }
}
