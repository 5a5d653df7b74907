using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Conversations.Contracts.Feedback;

namespace Conversations.Api.Feedback;

/// <summary>The feedback listing's page cursor as an opaque URL-safe string: first-vote time, message number, conversation.</summary>
internal static class FeedbackCursors
{
    /// <summary>The cursor text for <paramref name="cursor"/>.</summary>
    public static string Format(FeedbackCursor cursor) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"{cursor.CreatedAt.UtcTicks}:{cursor.Seq}:{cursor.ConversationId}")));

    /// <summary>The cursor <paramref name="text"/> stands for, or null when it is not one this API wrote.</summary>
    public static FeedbackCursor? Parse(string text)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split(':', 3);
            return parts.Length == 3
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && Ids.IsId(parts[2])
                ? new FeedbackCursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[2], seq) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
