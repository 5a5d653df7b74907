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

    /// <summary>Tokens a message with <paramref name="contentTokens"/> content tokens costs in a prompt.</summary>
    public static int InPrompt(int contentTokens) => contentTokens + PerMessage;
}
