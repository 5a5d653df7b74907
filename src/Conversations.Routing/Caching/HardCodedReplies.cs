using Conversations.Text;

namespace Conversations.Routing.Caching;

/// <summary>
/// Answers greetings, thanks, confirmations and goodbyes without a model (no tokens spent on small talk), but only when the whole
/// message is such an intent: "hi, what's the leave policy?" is a question and goes on to the model.
/// </summary>
public sealed class HardCodedReplies
{
    /// <summary>Longest message (after normalization) considered; anything longer carries more than an intent.</summary>
    public const int MaxNormalizedLength = 40;

    private readonly (string Phrase, StandardIntent? Intent)[] _vocabulary;

    /// <summary>Builds the phrase table from the built-in English and Chinese lists.</summary>
    public HardCodedReplies()
    {
        _vocabulary = HardCodedReplyTexts.Phrases
            .SelectMany(p => p.Value.Select(phrase => (phrase, (StandardIntent?)p.Key)))
            .Concat(HardCodedReplyTexts.Fillers.Select(f => (f, (StandardIntent?)null)))
            .OrderByDescending(v => v.Item1.Length) // Longest first: "thank you" before "you".
            .ToArray();
    }

    /// <summary>
    /// The intent of <paramref name="message"/> when it is nothing but a standard intent, else null.
    /// With <paramref name="answersPendingQuestion"/> (the assistant's last message asked something), "yes"/"ok"
    /// answers that question, so confirmations are not matched.
    /// </summary>
    public StandardIntent? Classify(string message, bool answersPendingQuestion = false)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = QuestionNormalizer.Normalize(message);
        if (text.Length == 0 || text.Length > MaxNormalizedLength)
        {
            return null;
        }

        var found = new HashSet<StandardIntent>();
        var position = 0;
        while (position < text.Length)
        {
            if (text[position] == ' ')
            {
                position++;
                continue;
            }

            var matched = false;
            foreach (var (phrase, intent) in _vocabulary)
            {
                if (string.CompareOrdinal(text, position, phrase, 0, phrase.Length) != 0 || !EndsAtBoundary(text, position + phrase.Length, phrase))
                {
                    continue;
                }

                if (intent is { } i)
                {
                    found.Add(i);
                }

                position += phrase.Length;
                matched = true;
                break;
            }

            if (!matched)
            {
                return null; // Something that is not part of an intent: a real message.
            }
        }

        if (answersPendingQuestion && found.Contains(StandardIntent.Confirmation))
        {
            return null;
        }

        // The closing intent wins: "ok thanks, bye" is a goodbye.
        StandardIntent[] priority = [StandardIntent.Goodbye, StandardIntent.Thanks, StandardIntent.Confirmation, StandardIntent.Greeting];
        return priority.Where(found.Contains).Select(i => (StandardIntent?)i).FirstOrDefault();
    }

    /// <summary>
    /// A fixed reply when <paramref name="message"/> is only a standard intent, else null. <paramref name="variantSeed"/>
    /// picks the variant (for example a hash of the turn id), so replies vary but stay reproducible.
    /// </summary>
    public CannedReply? Match(string message, int variantSeed, bool answersPendingQuestion = false)
    {
        if (Classify(message, answersPendingQuestion) is not { } intent)
        {
            return null;
        }

        var language = Languages.Detect(message);
        var variants = HardCodedReplyTexts.Replies[(intent, language)];
        return new CannedReply(intent, language, variants[(int)((uint)variantSeed % (uint)variants.Length)]);
    }

    private static bool EndsAtBoundary(string text, int end, string phrase) =>
        end == text.Length || Scripts.IsCjk(phrase[^1]) || !char.IsLetterOrDigit(text[end]);
}
