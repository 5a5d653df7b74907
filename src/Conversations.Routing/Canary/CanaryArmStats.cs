namespace Conversations.Routing.Canary;

/// <summary>What one arm of a canary has shown so far: turns, failed turns, TTFT p95 and thumbs up/down votes.</summary>
public sealed record CanaryArmStats(int Turns, int Errors, double? FirstTokenP95Ms, int FeedbackVotes, int NegativeVotes)
{
    /// <summary>Failed turns over all turns (0 without turns).</summary>
    public double ErrorRate => Turns == 0 ? 0 : Errors / (double)Turns;

    /// <summary>Thumbs-down votes over all votes (0 without votes).</summary>
    public double NegativeFeedbackRate => FeedbackVotes == 0 ? 0 : NegativeVotes / (double)FeedbackVotes;
}
