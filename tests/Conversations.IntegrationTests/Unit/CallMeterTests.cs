using Conversations.Grains.Chat;
using Conversations.Models.Chat;
using Conversations.Prompting.Tokens;

namespace Conversations.IntegrationTests.Unit;

/// <summary>How one model call is metered for the bill, from what its stream carried.</summary>
public sealed class CallMeterTests
{
    private static readonly ITokenCounter Tokens = new TokenCounter();

    // The meter never calls the model; it only needs one that stands for a provider (not the extractive responder).
    private sealed class ProviderModel : IChatModel
    {
        public string Name => "remote";
        public IAsyncEnumerable<ModelUpdate> StreamAsync(ModelRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Theory(DisplayName = "A usage report no call can have (negative counts, more cached than prompt tokens) is taken as no report: the call is counted with the tokenizer and marked estimated")]
    [InlineData(-5_000_000, 0, -100)]
    [InlineData(120, 0, -1)]
    [InlineData(100, 500, 20)]
    public void Implausible_usage_is_estimated(int prompt, int cached, int completion)
    {
        var meter = new CallMeter(new ModelCandidate("remote", new ProviderModel()), () => 42, Tokens);
        meter.Add(new GuardedUpdate("A short answer about the plan.", null, null));
        meter.Add(new GuardedUpdate(null, new ModelUsage(prompt, cached, completion), null, "stop"));
        var attempt = meter.Close(null);
        Assert.True(attempt.Estimated);
        Assert.Equal(new ModelUsage(42, 0, Tokens.Count("A short answer about the plan.")), attempt.Usage);

        // A plausible report is taken as it is.
        var honest = new CallMeter(new ModelCandidate("remote", new ProviderModel()), () => 42, Tokens);
        honest.Add(new GuardedUpdate("A short answer.", new ModelUsage(40, 8, 4), null, "stop"));
        Assert.Equal((false, new ModelUsage(40, 8, 4)), (honest.Close(null).Estimated, honest.Close(null).Usage));
    }
}
