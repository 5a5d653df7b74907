using Conversations.Moderation.Engine;
using Conversations.Moderation.Lexicons;

namespace Conversations.Moderation.Tests.Pii;

public sealed class PublicContactsTests
{
    [Theory]
    [InlineData("hr@acme.example")]
    [InlineData("@acme.example")]
    [InlineData("+86 138 0013 8000")]
    [InlineData("(415) 555-0100")]
    public void Accepts_addresses_domains_and_numbers(string entry) => Assert.Null(PublicContacts.Problem(entry));

    [Theory]
    [InlineData("")]
    [InlineData("not a contact")]
    [InlineData("hr@@acme.example")]
    [InlineData("@localhost")]
    [InlineData("hr@acme.example.")]
    [InlineData("12345")]
    [InlineData("call 4155550100")]
    [InlineData("a\nb@x.com")]
    [InlineData("<script>@x.com")]
    [InlineData("x@-.--")]
    [InlineData("@-a.b-")]
    [InlineData("000000")]
    [InlineData("+++++++++(((((1234567")]
    [InlineData("@gmail.com")]
    [InlineData("@QQ.com")]
    public void Refuses_anything_else(string entry) => Assert.NotNull(PublicContacts.Problem(entry));

    [Theory]
    [InlineData("800-1234", "13918001234", false)] // a short line is not every number that ends with it
    [InlineData("+1 555 010 7788", "+8615550107788", false)] // the same digits after another country code
    [InlineData("+1 (415) 555-0100", "415-555-0100", true)] // national form of the listed number
    [InlineData("0755 1234 5678", "+86 755 1234 5678", true)] // trunk 0 against the country code
    [InlineData("415-555-0100", "+14155550100", true)]
    [InlineData("415-555-0100", "+1 415 555 0199", false)]
    public void Phone_numbers_match_only_the_same_number(string listed, string found, bool same) =>
        Assert.Equal(same, new PublicContacts([listed]).Covers(PiiKind.InternationalPhone, found));

    [Fact]
    public void Listed_contacts_pass_the_scan_and_others_are_still_masked()
    {
        var policy = ModerationPolicy.Default with { PublicContacts = new PublicContacts(["hr@acme.example", "@help.acme.example", "415-555-0100"]) };
        var engine = new ModerationEngine();
        const string text = "Mail HR@acme.example, desk@help.acme.example or jane@gmail.com; call +14155550100 or +14155550199.";
        var hits = engine.Scan(text, CompiledLexiconSet.Platform, ModerationPhase.Output, policy).Hits.Select(h => text[h.Start..h.End]).ToList();
        Assert.Equal(["jane@gmail.com", "+14155550199"], hits);
        // Without the list every one of them is a finding.
        Assert.Equal(5, engine.Scan(text, CompiledLexiconSet.Platform, ModerationPhase.Output).Hits.Count);
    }
}
