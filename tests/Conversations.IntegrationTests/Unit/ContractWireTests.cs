using Conversations.Contracts.Feedback;
using Orleans.Serialization;

namespace Conversations.IntegrationTests.Unit;

/// <summary>Grain messages keep every field across the wire between silos (same-silo calls of immutable types are not copied, so tests there cannot tell).</summary>
public sealed class ContractWireTests
{
    [Fact(DisplayName = "A budget denial crosses silos with its kind, budget and spend, so the refusal message can say what happened")]
    public void Budget_denial_round_trips()
    {
        using var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(BudgetReservationResult).Assembly)).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var sent = new BudgetReservationResult(false, "too small", 0.5m) { Denial = BudgetDenial.TooSmall, BudgetUsd = 1m, SpentUsd = 0.25m };

        var received = serializer.Deserialize<BudgetReservationResult>(serializer.SerializeToArray(sent));

        Assert.Equal(sent, received);
        Assert.Equal(BudgetDenial.TooSmall, received!.Denial);
    }

    [Fact(DisplayName = "A feedback vote and its outcome cross silos with every field")]
    public void Feedback_vote_round_trips()
    {
        using var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(FeedbackVote).Assembly)).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var vote = new FeedbackVote("c_1", 7, true, "Missed the second offer.");

        Assert.Equal(vote, serializer.Deserialize<FeedbackVote>(serializer.SerializeToArray(vote)));
        Assert.Equal(FeedbackOutcome.Replaced, serializer.Deserialize<FeedbackOutcome>(serializer.SerializeToArray(FeedbackOutcome.Replaced)));
    }
}
