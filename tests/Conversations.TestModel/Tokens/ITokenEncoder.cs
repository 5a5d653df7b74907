namespace Conversations.TestModel.Tokens;

/// <summary>Turns text into token ids; the ids matter only for equality (prefix caching) and their count.</summary>
internal interface ITokenEncoder
{
    /// <summary>The token ids of the text; callers must not change the returned array.</summary>
    int[] Encode(string text);
}
