namespace Conversations.Prompting.History;

/// <summary>Token cost of chat framing around message contents, so prompt totals are not under-counted.</summary>
public static class MessageTokens
{
    /// <summary>
    /// Framing per message: ChatML spends 5 (<c>&lt;|im_start|&gt;</c>, role, newline, <c>&lt;|im_end|&gt;</c>, newline);
    /// OpenAI's own count is 3–4, so 5 is the safe upper bound for both.
    /// </summary>
    public const int PerMessage = 5;

    /// <summary>Tokens that open the model's reply (<c>&lt;|im_start|&gt;assistant\n</c>).</summary>
    public const int ReplyPriming = 3;

    /// <summary>
    /// The estimate for one image, whatever its size: OpenAI's published cost of a <c>detail: auto</c> image of up to
    /// 1024×1024 (scaled to fit 768×768: 85 base + 4 tiles of 512 px × 170 = 765), a usual photo. A long or large image
    /// may cost more (1,105 at 768×1536), a small one less (255 for one tile).
    /// </summary>
    public const int PerImage = 765;

    /// <summary>Tokens a message with <paramref name="contentTokens"/> content tokens costs in a prompt.</summary>
    public static int InPrompt(int contentTokens) => contentTokens + PerMessage;
}
