using Conversations.Routing.Learned;

namespace Conversations.Routing.Tests.Learned;

/// <summary>The hashed wording features: which terms a question gives, that the buckets are stable and normalized.</summary>
public sealed class QuestionNgramsTests
{
    [Fact]
    public void Chinese_text_gives_characters_and_overlapping_pairs()
    {
        // Proves a Chinese question, written without spaces, still yields terms: each character and each adjacent pair.
        var terms = QuestionNgrams.Terms("陪产假有几天？").ToList();
        Assert.Contains("h:陪", terms);
        Assert.Contains("h:陪产", terms);
        Assert.Contains("h:几天", terms);
        Assert.DoesNotContain("h:陪假", terms);
        Assert.Contains("w:?", terms); // the full-width mark reads as "?" after normalization
    }

    [Fact]
    public void English_text_gives_words_and_word_pairs_with_digits_folded()
    {
        // Proves English words and adjacent pairs are terms, case and digits do not split them, and a Chinese run breaks a pair.
        var terms = QuestionNgrams.Terms("What's 15% of 2,400?").ToList();
        Assert.Contains("w:what", terms);
        Assert.Contains("w:00", terms);
        Assert.Contains("w:00 %", terms);
        Assert.Equal(QuestionNgrams.Terms("what's 99% of 7,100?"), terms);
        Assert.DoesNotContain("w:vpn mfa", QuestionNgrams.Terms("VPN 和 MFA"));
        Assert.Contains("w:x ^", QuestionNgrams.Terms("x^2 - 7x + 12 = 0"));
    }

    [Fact]
    public void Same_text_gives_same_buckets_and_the_vector_has_unit_length()
    {
        // Proves the hashing is stable (FNV-1a, not the per-process string hash) and the counts are L2-normalized.
        var a = QuestionNgrams.Of("帮我搞个明年的培训计划", 4096);
        Assert.Equal(a, QuestionNgrams.Of("帮我搞个明年的培训计划", 4096));
        Assert.Equal(1.0, Math.Sqrt(a.Sum(v => v * v)), 9);
        Assert.Equal(3991, QuestionNgrams.Bucket("w:plan", 4096)); // fixed: the shipped weights depend on it
        Assert.Equal(QuestionNgrams.Bucket("w:plan", 1 << 20) % 4096, QuestionNgrams.Bucket("w:plan", 4096));
        Assert.NotEqual(a, QuestionNgrams.Of("婚假有几天？", 4096));
        Assert.All(QuestionNgrams.Of("   ", 64), v => Assert.Equal(0, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuestionNgrams.Of("x", 0));
    }
}
