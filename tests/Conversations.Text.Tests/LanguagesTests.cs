namespace Conversations.Text.Tests;

public sealed class LanguagesTests
{
    [Theory]
    [InlineData("报销流程是什么？", "zh")]
    [InlineData("你好", "zh")]
    [InlineData("VPN 怎么连接", "zh")] // 4 Han, 3 Latin letters
    [InlineData("How do I connect to the VPN?", "en")]
    [InlineData("What does 年假 mean for part-time staff?", "en")] // 2 Han against 28 Latin letters
    [InlineData("ありがとう", "en")] // kana only: not Chinese
    [InlineData("", "en")]
    public void Han_share_of_the_letters_decides(string text, string expected)
    {
        // Proves one Han character weighs four Latin letters, and text without Han is English.
        Assert.Equal(expected, Languages.Detect(text));
        Assert.Equal(expected == Languages.Chinese, Languages.IsChinese(text));
    }
}
