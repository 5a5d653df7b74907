namespace Conversations.TestModel.Tokens;

/// <summary>How the test server counts prompt tokens.</summary>
public enum TokenCounting
{
    /// <summary>The o200k_base tokenizer (Microsoft.ML.Tokenizers), as OpenAI's recent models count.</summary>
    O200k,

    /// <summary>About four characters a token for Latin text and one a CJK character: cheaper, less exact.</summary>
    Approximate,
}
