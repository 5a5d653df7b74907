using Conversations.Text;

namespace Conversations.Moderation.Tests.Messages;

public sealed class RefusalMessagesTests
{
    [Theory]
    [InlineData("公司OA域名oa.jiaoyu.com的预发环境地址是什么？", "zh")]
    [InlineData("What is the pre-release address of oa.jiaoyu.com?", "en")]
    [InlineData("请问一下 VPN 地址是什么", "zh")]
    [InlineData("", "en")]
    public void Language_follows_the_question(string question, string expected)
    {
        // Proves Chinese questions get Chinese messages and everything else English.
        Assert.Equal(expected, RefusalMessages.For(RefusalClass.Confidential, question, "turn-1").Language);
    }

    [Fact]
    public void Same_seed_gives_the_same_variant_and_seeds_spread_over_variants()
    {
        // Proves the variant choice is deterministic per seed and every variant is reachable.
        var first = RefusalMessages.For(RefusalClass.Abuse, "hello", "turn-42");
        Assert.Equal(first, RefusalMessages.For(RefusalClass.Abuse, "hello", "turn-42"));
        var seen = Enumerable.Range(0, 50).Select(i => RefusalMessages.For(RefusalClass.Abuse, "hello", $"turn-{i}").Variant).ToHashSet();
        Assert.Equal(RefusalMessages.VariantCount(RefusalClass.Abuse), seen.Count);
    }

    [Fact]
    public void Every_class_has_distinct_non_empty_messages_in_both_languages()
    {
        // Proves the catalogue is complete: each class and language has distinct variants.
        foreach (var refusal in Enum.GetValues<RefusalClass>())
        {
            foreach (var language in new[] { "zh", "en" })
            {
                var texts = Enumerable.Range(0, 60)
                    .Select(i => RefusalMessages.ForLanguage(refusal, language, $"s{i}").Text)
                    .Distinct().ToList();
                Assert.Equal(RefusalMessages.VariantCount(refusal), texts.Count);
                Assert.All(texts, t => Assert.True(t.Length > 20));
            }
        }
    }

    [Fact]
    public void Chinese_messages_are_chinese_and_english_are_english()
    {
        // Proves the language of the text matches the chosen language.
        Assert.Equal("zh", Languages.Detect(RefusalMessages.ForLanguage(RefusalClass.RateLimited, "zh", "x").Text));
        Assert.Equal("en", Languages.Detect(RefusalMessages.ForLanguage(RefusalClass.RateLimited, "en", "x").Text));
    }

    [Theory]
    [InlineData("customized", RefusalClass.Confidential)]
    [InlineData("abuse", RefusalClass.Abuse)]
    [InlineData("pii_phone", RefusalClass.PersonalData)]
    [InlineData("secret_password", RefusalClass.Secret)]
    [InlineData("prompt_attack", RefusalClass.PromptAttack)]
    [InlineData("violent_explosion_3001", RefusalClass.Policy)]
    public void Labels_map_to_classes(string label, RefusalClass expected)
    {
        // Proves our labels and Green's labels pick the right message class.
        Assert.Equal(expected, RefusalClassifier.ForLabel(label));
    }
}
