using Conversations.Moderation.Lexicons;
using Conversations.Moderation.Pii;

namespace Conversations.Moderation.Messages;

/// <summary>Maps result labels (ours and Green's) to a <see cref="RefusalClass"/>.</summary>
internal static class RefusalClassifier
{
    /// <summary>The refusal class for a label; tenant ("customized") libraries count as confidential.</summary>
    public static RefusalClass ForLabel(string label)
    {
        var l = label.ToLowerInvariant();
        if (l == Lexicon.CustomizedLabel || l.Contains("customized", StringComparison.Ordinal))
            return RefusalClass.Confidential;
        if (l == Lexicon.AbuseLabel || l.Contains("abuse", StringComparison.Ordinal) || l.Contains("profanity", StringComparison.Ordinal)
            || l.Contains("insult", StringComparison.Ordinal))
            return RefusalClass.Abuse;
        if (l == Lexicon.PromptAttackLabel || l.Contains("attack", StringComparison.Ordinal) || l.Contains("inject", StringComparison.Ordinal))
            return RefusalClass.PromptAttack;
        if (l == PiiKind.ApiKey.Label() || l == PiiKind.Password.Label() || l.StartsWith("secret", StringComparison.Ordinal))
            return RefusalClass.Secret;
        if (l.StartsWith("pii", StringComparison.Ordinal) || l.Contains("personal", StringComparison.Ordinal)
            || l.Contains("privacy", StringComparison.Ordinal) || l.Contains("sensitive_data", StringComparison.Ordinal))
            return RefusalClass.PersonalData;
        return RefusalClass.Policy;
    }
}
