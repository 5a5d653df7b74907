namespace Conversations.Prompting.Tokens;

/// <summary>Counts and cuts text in the tokens of one model encoding; implementations are thread-safe.</summary>
public interface ITokenCounter
{
    /// <summary>The encoding these counts are in, e.g. "o200k_base".</summary>
    string EncodingName { get; }

    /// <summary>Number of tokens <paramref name="text"/> encodes to.</summary>
    int Count(string text);

    /// <summary>The longest start of <paramref name="text"/> that fits in <paramref name="maxTokens"/> tokens.</summary>
    string KeepStart(string text, int maxTokens) => TokenTruncation.KeepStartBySearch(this, text, maxTokens);

    /// <summary>The longest end of <paramref name="text"/> that fits in <paramref name="maxTokens"/> tokens.</summary>
    string KeepEnd(string text, int maxTokens) => TokenTruncation.KeepEndBySearch(this, text, maxTokens);
}
