namespace Conversations.Moderation.Messages;

/// <summary>Why a turn was refused or an answer withheld; each class has its own friendly messages.</summary>
public enum RefusalClass
{
    /// <summary>Profanity, insults, abuse.</summary>
    Abuse,

    /// <summary>Someone's personal data (phone, ID number, card, …).</summary>
    PersonalData,

    /// <summary>Passwords, API keys and other credentials.</summary>
    Secret,

    /// <summary>Internal or confidential company information (e.g. internal domains).</summary>
    Confidential,

    /// <summary>Attempts to override the assistant's instructions.</summary>
    PromptAttack,

    /// <summary>Other content the platform's policy does not allow.</summary>
    Policy,

    /// <summary>Too many requests or tokens in a short time.</summary>
    RateLimited,

    /// <summary>A needed service (e.g. the content check) is unavailable right now.</summary>
    ServiceUnavailable,
}
