namespace Conversations.Moderation.Engine;

/// <summary>What to do with personal data and secrets in one phase; lexicon hits follow their lexicon's action.</summary>
/// <param name="PersonalData">Action for e-mail, phone, ID, card and IP hits.</param>
/// <param name="Secrets">Action for API keys and passwords; Allow is read as Mask — secrets are never passed through.</param>
public sealed record PhasePolicy(ModerationAction PersonalData, ModerationAction Secrets)
{
    /// <summary>The effective secrets action (at least Mask).</summary>
    public ModerationAction EffectiveSecrets => Secrets == ModerationAction.Allow ? ModerationAction.Mask : Secrets;
}

/// <summary>Per-phase moderation policy (a tenant setting).</summary>
/// <remarks>
/// Defaults: a user's own personal data in a question is allowed through to the model (it is theirs and often the
/// point of the question) but every stored or logged copy is masked (<see cref="ModerationResult.MaskForStorage"/>);
/// personal data in an answer is masked before the user sees it; secrets are masked in both phases.
/// </remarks>
public sealed record ModerationPolicy
{
    /// <summary>The default policy described in the remarks.</summary>
    public static ModerationPolicy Default { get; } = new();

    /// <summary>Policy for the user's question.</summary>
    public PhasePolicy Input { get; init; } = new(ModerationAction.Allow, ModerationAction.Mask);

    /// <summary>Policy for the model's answer.</summary>
    public PhasePolicy Output { get; init; } = new(ModerationAction.Mask, ModerationAction.Mask);

    /// <summary>The tenant's published contacts, never masked as personal data; null when none.</summary>
    public Pii.PublicContacts? PublicContacts { get; init; }

    /// <summary>The policy of <paramref name="phase"/>.</summary>
    public PhasePolicy For(ModerationPhase phase) => phase == ModerationPhase.Input ? Input : Output;
}
