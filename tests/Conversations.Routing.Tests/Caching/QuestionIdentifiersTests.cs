namespace Conversations.Routing.Tests.Caching;

public sealed class QuestionIdentifiersTests
{
    [Theory(DisplayName = "Questions that carry numbers, addresses or names are personal")]
    [InlineData("What is the leave balance of employee 4711?", "4711")]
    [InlineData("Please check order A-1234 for me", "a-1234")]
    [InlineData("Mail the form to jane.doe@example.com please", "jane.doe@example.com")]
    [InlineData("How much leave does Alice Chen have left?", "alice")]
    [InlineData("My card 4111 1111 1111 1111 was charged twice", "4111")]
    [InlineData("员工编号 88231 的年假还剩几天？", "88231")]
    [InlineData("Is O'Neil on the rota?", "o'neil")]
    public void Personal(string question, string expected)
    {
        Assert.True(QuestionIdentifiers.IsPersonal(question));
        Assert.Contains(expected, QuestionIdentifiers.Extract(question));
    }

    [Theory(DisplayName = "Questions about the asker's own things are personal even without an identifier; "
        + "self-contained questions without identifiers stay shareable (acronyms and the first word are not names)")]
    [InlineData("my badge says qwerty, what is the leave policy?", true)]
    [InlineData("What is my leave balance?", true)]
    [InlineData("I am the team lead, what can I approve?", true)]
    [InlineData("我的工号是什么？", true)]
    [InlineData("can they fire me while on sick leave for cancer", true)]
    [InlineData("I was diagnosed with diabetes, does the insurance cover it?", true)]
    [InlineData("If I take unpaid leave, does my bonus change?", true)]
    [InlineData("Dana is pregnant, does she get paid leave?", true)]
    [InlineData("Wie viele Urlaubstage habe ich?", true)]
    [InlineData("J'ai perdu mon badge, que faire ?", true)]
    [InlineData("我被裁员了，有补偿吗？", true)]
    [InlineData("Tell me the travel policy.", false)]
    [InlineData("What should I do if the VPN drops?", false)]
    [InlineData("What is our leave policy?", false)]
    [InlineData("Expense reports go to finance, right?", false)]
    [InlineData("What is the parental leave policy?", false)]
    [InlineData("How do I set up the VPN for HR laptops?", false)]
    [InlineData("Where can I find the expense form? Who approves it?", false)]
    [InlineData("年假政策是什么？", false)]
    [InlineData("What is the parental leave policy??", false)]
    public void Self_or_shareable(string question, bool personal) => Assert.Equal(personal, QuestionIdentifiers.IsPersonal(question));

    [Fact(DisplayName = "Questions that differ only in an identifier have different fingerprints; the same identifiers in another order do not")]
    public void Fingerprints()
    {
        Assert.NotEqual(QuestionIdentifiers.Fingerprint("Leave balance of employee 4711?"), QuestionIdentifiers.Fingerprint("Leave balance of employee 4712?"));
        Assert.NotEqual(QuestionIdentifiers.Fingerprint("How much leave does Alice have?"), QuestionIdentifiers.Fingerprint("How much leave does Bob have?"));
        Assert.Equal(QuestionIdentifiers.Fingerprint("Compare 12 and 7 for Dana"), QuestionIdentifiers.Fingerprint("For Dana compare 7 and 12"));
        Assert.Equal("", QuestionIdentifiers.Fingerprint("what is the leave policy"));
    }
}
