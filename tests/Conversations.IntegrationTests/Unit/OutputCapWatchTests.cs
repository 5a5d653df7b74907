using Conversations.Grains.Chat.Turn;
using Conversations.Prompting.Tokens;

namespace Conversations.IntegrationTests.Unit;

/// <summary>The cut for providers that ignore the output cap.</summary>
public sealed class OutputCapWatchTests
{
    private static readonly ITokenCounter Tokens = new TokenCounter();

    [Fact(DisplayName = "A provider that ignores the cap and sends one large delta shows the text up to the cut, not nothing; a model within the cap is never cut")]
    public void A_large_delta_is_cut_at_the_cap()
    {
        var delta = string.Join(' ', Enumerable.Repeat("flood word", 100));
        var watch = new OutputCapWatch(Tokens, 5);
        var shown = watch.Admit(delta, out var cut);
        Assert.True(cut);
        Assert.NotEmpty(shown);
        Assert.StartsWith(shown, delta, StringComparison.Ordinal);
        Assert.InRange(Tokens.Count(shown), 1, 2 * 5 + 16);

        // Small pieces within the cap pass whole; the piece that crosses it is cut, and the watch says so.
        var steady = new OutputCapWatch(Tokens, 5);
        var pieces = Enumerable.Repeat(" word", 40).ToList();
        var text = "";
        foreach (var piece in pieces)
        {
            var part = steady.Admit(piece, out var ended);
            text += part;
            if (ended) break;
            Assert.Equal(piece, part);
        }
        Assert.InRange(Tokens.Count(text), 2 * 5 + 16 - 1, 2 * 5 + 16);
    }
}
