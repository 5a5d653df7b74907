namespace Conversations.Text.Tests;

public sealed class StopWordsTests
{
    public static TheoryData<string, bool> EnglishWords => new()
    {
        { "the", true }, { "please", true }, { "tell", true }, { "it's", true },
        { "user", false }, { "assistant", false }, { "vpn", false }, { "The", false }, // callers lower-case first
    };

    public static TheoryData<string, bool> TranscriptWords => new()
    {
        { "user", true }, { "assistant", true }, { "the", true }, { "warehouse", false },
    };

    public static TheoryData<string, bool> ChineseBigrams => new()
    {
        { "的了", true }, { "我们", true }, { "仓库", false }, { "的库", false }, { "的", false },
    };

    [Theory]
    [MemberData(nameof(EnglishWords))]
    public void English_list_holds_function_and_request_words_only(string word, bool expected)
    {
        // Proves the one English list holds function and request words but no topic word, and is case-sensitive by contract.
        Assert.Equal(expected, StopWords.IsEnglish(word));
    }

    [Theory]
    [MemberData(nameof(TranscriptWords))]
    public void Transcript_list_is_english_plus_the_speakers(string word, bool expected)
    {
        // Proves the transcript list is the English list plus the speakers' role names.
        Assert.Equal(expected, StopWords.IsTranscriptWord(word));
    }

    [Theory]
    [MemberData(nameof(ChineseBigrams))]
    public void Only_a_pair_of_chinese_function_characters_is_skipped(string bigram, bool expected)
    {
        // Proves a bigram is skipped only when both characters are function characters, and a lone one is no bigram.
        Assert.Equal(expected, StopWords.IsChineseFunctionBigram(bigram));
    }

    [Fact]
    public void Every_english_stop_word_is_lower_case_and_trimmed()
    {
        // Proves the list can match callers that lower-case their words.
        Assert.All(StopWords.English, w => Assert.Equal(w.Trim().ToLowerInvariant(), w));
    }
}
