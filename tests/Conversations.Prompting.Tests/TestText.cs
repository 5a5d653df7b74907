namespace Conversations.Prompting.Tests;

/// <summary>Shared counter and deterministic mixed Chinese/English text for tests.</summary>
internal static class TestText
{
    public static ITokenCounter Counter { get; } = TokenizerRegistry.Shared.ForEncoding(TokenCounter.O200kBase);

    private static readonly string[] English = ["the", "shipment", "warehouse", "invoice", "approval", "deadline", "server", "migration", "customer", "route", "budget", "report"];
    private static readonly string[] Chinese = ["仓库", "发票", "审批", "迁移", "客户", "路线", "预算", "报告", "服务器", "订单", "时间", "问题"];

    /// <summary>Roughly <paramref name="words"/> words, Chinese with probability <paramref name="chineseShare"/> per sentence.</summary>
    public static string Words(Random rng, int words, double chineseShare = 0.5)
    {
        var sb = new System.Text.StringBuilder();
        var inSentence = 0;
        var chinese = rng.NextDouble() < chineseShare;
        for (var i = 0; i < words; i++)
        {
            sb.Append(chinese ? Chinese[rng.Next(Chinese.Length)] : (inSentence == 0 ? "" : " ") + English[rng.Next(English.Length)]);
            if (++inSentence >= 8 + rng.Next(6))
            {
                sb.Append(chinese ? "。" : ". ");
                inSentence = 0;
                chinese = rng.NextDouble() < chineseShare;
            }
        }
        return sb.ToString();
    }

    public static ChatTurnMessage Message(string role, string content, long sequence = 0) =>
        ChatTurnMessage.Create(Counter, role, content, sequence);

    public static ConversationTurn Turn(Random rng, int userWords, int answerWords, long sequence = 0) =>
        ConversationTurn.Of(Message(ChatRoles.User, Words(rng, userWords), sequence), Message(ChatRoles.Assistant, Words(rng, answerWords), sequence + 1));
}

/// <summary>A counter that records every text it counts, to prove what is (not) re-counted.</summary>
internal sealed class RecordingCounter(ITokenCounter inner) : ITokenCounter
{
    public List<string> Counted { get; } = [];

    public string EncodingName => inner.EncodingName;

    public int Count(string text)
    {
        lock (Counted) Counted.Add(text);
        return inner.Count(text);
    }
}
