using Conversations.Prompting.History;

namespace Conversations.Prompting.Layout;

/// <summary>The messages to send to the model and an account of what went in, what was left out and what is cacheable.</summary>
/// <param name="Messages">System prefix, recent turns, then the final user message (question and sources).</param>
/// <param name="PromptTokens">Total prompt tokens, message framing and reply priming included.</param>
/// <param name="StablePrefixTokens">Tokens of the leading system message, framing included.</param>
/// <param name="StablePrefixHash">SHA-256 hex of the leading system message's content.</param>
/// <param name="CacheablePrefixTokens">Tokens of the prefix plus the included history turns: what the next prompt repeats byte-for-byte unless a fold or trim happens.</param>
/// <param name="IncludedTurns">History turns sent verbatim, oldest first.</param>
/// <param name="OmittedTurnCount">Unsummarized turns left out to keep the budget.</param>
/// <param name="IncludedChunkIds">Ids of the sources sent, best first.</param>
/// <param name="DroppedChunkIds">Ids of the sources left out to keep the budget.</param>
/// <param name="QuestionTruncated">True when the question was cut (with a marker) to fit.</param>
/// <param name="PrefixTruncated">True when the stable prefix itself was cut to fit.</param>
/// <param name="MaxOutputTokens">The answer limit to pass as max_tokens.</param>
public sealed record BuiltPrompt(
    IReadOnlyList<PromptMessage> Messages,
    int PromptTokens,
    int StablePrefixTokens,
    string StablePrefixHash,
    int CacheablePrefixTokens,
    IReadOnlyList<ConversationTurn> IncludedTurns,
    int OmittedTurnCount,
    IReadOnlyList<string> IncludedChunkIds,
    IReadOnlyList<string> DroppedChunkIds,
    bool QuestionTruncated,
    bool PrefixTruncated,
    int MaxOutputTokens)
{
    /// <summary>True when anything was left out or cut to keep the budget.</summary>
    public bool Trimmed => OmittedTurnCount > 0 || DroppedChunkIds.Count > 0 || QuestionTruncated || PrefixTruncated;

    /// <summary>Share of the prompt inside the stable prefix, 0..1.</summary>
    public double StablePrefixShare => PromptTokens == 0 ? 0 : (double)StablePrefixTokens / PromptTokens;
}
