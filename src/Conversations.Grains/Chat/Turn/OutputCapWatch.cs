using System.Text;
using Conversations.Prompting.Tokens;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// Whether a model call's text has run well past the output cap its request named, for providers that ignore
/// <c>max_completion_tokens</c>: the tenant's limit and a client's <c>max_tokens</c> must bound what a turn shows and
/// stores whatever the model does. Tokenizers differ (a provider's count of the same text can be a fraction or a
/// multiple of ours), so the cut is at twice the cap plus 16 of the platform's tokens: a model that keeps its own cap is
/// never cut, one that ignores it is stopped. The text is counted only once it could have reached that (a char is at
/// most three tokens' worth of UTF-8 bytes), and again only when it could have reached it since.
/// </summary>
internal sealed class OutputCapWatch(ITokenCounter tokens, int cap)
{
    private const int MaxTokensPerChar = 3;
    private readonly StringBuilder _text = new();
    private readonly int _limit = cap <= 0 ? 0 : 2 * cap + 16;
    private int _countAt = Math.Max(1, (2 * cap + 16) / MaxTokensPerChar);

    /// <summary>
    /// Adds a delta; returns what of it may be shown, and sets <paramref name="cut"/> when the text reaches the cut there
    /// (nothing after it is shown). A provider that ignores the cap and sends large pieces still shows the text up to the
    /// cut, not nothing.
    /// </summary>
    public string Admit(string delta, out bool cut)
    {
        cut = false;
        if (_limit <= 0) return delta;
        var before = _text.Length;
        _text.Append(delta);
        if (_text.Length < _countAt) return delta;
        var text = _text.ToString();
        var counted = tokens.Count(text);
        if (counted <= _limit)
        {
            _countAt = _text.Length + Math.Max(1, (_limit - counted) / MaxTokensPerChar);
            return delta;
        }
        cut = true;
        var kept = tokens.KeepStart(text, _limit).Length;
        return kept > before ? delta[..(kept - before)] : "";
    }
}
