namespace Conversations.Moderation.Normalization;

/// <summary>What an original char is to lexicon matching: part of a word, a separator, or nothing at all.</summary>
public enum CharClass : byte
{
    /// <summary>Dropped without separating anything: zero-width and other format chars, combining marks, controls, fillers.</summary>
    Invisible,

    /// <summary>A letter or digit (or a look-alike such as '@' or '$') of a script that separates words with spaces.</summary>
    Letter,

    /// <summary>A letter of a script written without spaces (Han, kana, Hangul, Thai, …): never a word boundary's obstacle.</summary>
    UnspacedLetter,

    /// <summary>Whitespace of any width.</summary>
    Space,

    /// <summary>Punctuation, symbols and emoji: a separator that is not a space.</summary>
    Symbol,
}
