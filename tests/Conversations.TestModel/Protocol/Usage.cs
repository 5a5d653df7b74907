namespace Conversations.TestModel.Protocol;

/// <summary>Token counts of one completion, as written into the usage object.</summary>
internal readonly record struct Usage(int PromptTokens, int CachedTokens, int CompletionTokens);
