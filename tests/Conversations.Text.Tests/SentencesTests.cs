namespace Conversations.Text.Tests;

public sealed class SentencesTests
{
    [Theory]
    [InlineData("Leave is 25 days. Ask HR first! Can I carry it over?", "Leave is 25 days.|Ask HR first!|Can I carry it over?")]
    [InlineData("年假有二十五天。可以结转吗？请先问人事！", "年假有二十五天。|可以结转吗？|请先问人事！")]
    [InlineData("Mail hr@demo.example about the 3.5 day rule", "Mail hr@demo.example about the 3.5 day rule")]
    [InlineData("First line\nsecond line; third part", "First line|second line;|third part")]
    [InlineData("报销；审批", "报销；|审批")]
    [InlineData("Done. . ?", "Done.")]
    [InlineData("   ", "")]
    public void Splits_on_Chinese_and_Latin_sentence_ends(string text, string expected)
    {
        // Proves Latin ends need whitespace or the end after them, Chinese ends do not, and lone terminators are dropped.
        Assert.Equal(expected, string.Join('|', Sentences.Split(text).Select(s => s.Sentence)));
    }

    [Fact]
    public void Flags_questions_by_their_mark()
    {
        // Proves only a sentence that ends in ? or ？ is a question.
        Assert.Equal([false, true, true, false], Sentences.Split("I work in Lyon. Where is HR? 在哪里？ Thanks").Select(s => s.IsQuestion));
    }
}
