namespace Conversations.Routing.Cost;

/// <summary>Whether a call is billed at the real-time price or at the offline batch rate.</summary>
public enum PricingMode
{
    /// <summary>Interactive call at the list price.</summary>
    Realtime = 0,

    /// <summary>Offline batch call, billed with the model's batch discount.</summary>
    Batch = 1,
}
