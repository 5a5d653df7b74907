namespace Conversations.Moderation.Lexicons;

/// <summary>What a lexicon hit does to content.</summary>
public enum LexiconAction
{
    /// <summary>Replace the word with <c>***</c> and let the rest through.</summary>
    Mask = 1,

    /// <summary>Refuse the question / withhold the answer.</summary>
    Block = 2,
}

/// <summary>Which texts a lexicon checks.</summary>
public enum LexiconScope
{
    /// <summary>The user's question and the model's answer.</summary>
    Both,

    /// <summary>Only the user's question (instruction-override phrases: said to the model, not by it).</summary>
    Input,

    /// <summary>Only the model's answer.</summary>
    Output,
}

/// <summary>A named word list (platform or tenant) with its risk level, action and result label.</summary>
/// <param name="Name">Library name, reported as <c>CustomizedHit.LibName</c>.</param>
/// <param name="Words">
/// The words, matched after normalization (case, width, look-alikes, zero-width chars and separators inside the word or
/// between single spaced-out letters do not matter). A word of a script written with spaces (Latin, Cyrillic, …) matches
/// only as a whole word; a word holding Han, kana, Hangul or Thai letters matches anywhere. See <see cref="Matching.TermRules"/>.
/// </param>
/// <param name="Risk">Risk level of a hit.</param>
/// <param name="Action">Mask or block on a hit.</param>
/// <param name="Label">Result label: "customized" for tenant libraries (as Green reports them), else e.g. "abuse".</param>
/// <param name="SubstringWords">Words that also match inside longer words ("fuck" in "fucking"); null or empty when none.</param>
/// <param name="Scope">Which texts the lexicon checks: questions, answers or both (the default).</param>
public sealed record Lexicon(
    string Name, IReadOnlyList<string> Words, RiskLevel Risk, LexiconAction Action, string Label = Lexicon.CustomizedLabel,
    IReadOnlyList<string>? SubstringWords = null, LexiconScope Scope = LexiconScope.Both)
{
    /// <summary>The label Green uses for hits in user-defined libraries.</summary>
    public const string CustomizedLabel = "customized";

    /// <summary>Label for profanity and insults.</summary>
    public const string AbuseLabel = "abuse";

    /// <summary>Label for attempts to override the assistant's instructions.</summary>
    public const string PromptAttackLabel = "prompt_attack";

    /// <summary>Label for dangerous or illegal how-to requests.</summary>
    public const string ContrabandLabel = "contraband";
}
