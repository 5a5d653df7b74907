using System.Text;
using Conversations.Grains.Tenancy;
using Conversations.Models.Extractive;
using Conversations.Storage.Chat;

namespace Conversations.IntegrationTests.Unit;

/// <summary>Plain logic of the foundation: keys, ids, settings validation, the extractive responder.</summary>
public sealed class FoundationLogicTests
{
    [Theory(DisplayName = "API keys parse only in the cvk_id_secret shape")]
    [InlineData("cvk_abc_def", true, "abc", "def")]
    [InlineData("cvk_abc_de_f", true, "abc", "de_f")]
    [InlineData("cvk__def", false, "", "")]
    [InlineData("cvk_abc_", false, "", "")]
    [InlineData("Bearer cvk_abc_def", false, "", "")]
    [InlineData("sk-abc", false, "", "")]
    public void Key_parsing(string key, bool ok, string id, string secret)
    {
        Assert.Equal(ok, ApiKeyFormat.TryParse(key, out var keyId, out var s));
        if (ok) Assert.Equal((id, secret), (keyId, s));
    }

    [Fact(DisplayName = "A search snippet is one line around the match, cut at words with an ellipsis where text was left out; text without spaces is cut by characters and never inside a surrogate pair")]
    public void Search_snippets()
    {
        Assert.Equal("Who signs off the budget?", SearchSnippet.Around("Who signs off\nthe   budget?", 20, 6));

        var words = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}"));
        var at = words.IndexOf("word30", StringComparison.Ordinal);
        var cut = SearchSnippet.Around(words, at, 6);
        Assert.Matches(@"^…word\d+ .* word30 .* word\d+…$", cut); // whole words at both ends
        Assert.True(cut.Length <= SearchSnippet.Before + SearchSnippet.After + 2);

        var chinese = new string('假', 200) + "年假政策" + new string('期', 200);
        Assert.Equal("…" + new string('假', SearchSnippet.Before) + "年假政策" + new string('期', SearchSnippet.After - 4) + "…", SearchSnippet.Around(chinese, 200, 4));

        // The cut 40 characters before the match falls on the second half of an emoji: the whole emoji is kept.
        var emoji = "a" + string.Concat(Enumerable.Repeat("😀", 100)) + "b" + "match";
        var snippet = SearchSnippet.Around(emoji, 202, 5)[1..];
        Assert.Equal(snippet, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(snippet)));
        Assert.EndsWith("bmatch", snippet);
    }

    [Theory(DisplayName = "Tenant ids are lower-case slugs; entity ids are bounded and free of path characters")]
    [InlineData("acme", true)]
    [InlineData("a", false)]
    [InlineData("Acme", false)]
    [InlineData("acme/other", false)]
    [InlineData("-acme", false)]
    public void Tenant_ids(string id, bool ok) => Assert.Equal(ok, Ids.IsTenantId(id));

    [Fact(DisplayName = "A model endpoint stored with user:password@ is shown with the credentials hidden; one without is shown as stored")]
    public void Endpoint_credentials_are_hidden()
    {
        static Conversations.Contracts.Routing.ModelRegistration Model(string endpoint) => new("m", endpoint, null, "m", "small", [], 1, 1, 1, 8000, 0);
        var shown = Conversations.Api.Routing.ModelDto.From(Model("https://user:s3cret@models.example.com/v1")).Endpoint;
        Assert.Equal("https://(hidden)@models.example.com/v1", shown);
        Assert.Equal("https://models.example.com/v1", Conversations.Api.Routing.ModelDto.From(Model("https://models.example.com/v1")).Endpoint);
    }

    [Fact(DisplayName = "Entity ids reject slashes (which would escape the tenant scope of a grain key) and overlong ids")]
    public void Entity_ids()
    {
        Assert.True(Ids.IsId("alice@example.com"));
        Assert.False(Ids.IsId("../x"));
        Assert.False(Ids.IsId("a/b"));
        Assert.False(Ids.IsId(new string('a', 65)));
        Assert.Equal(("t1", "c/2"), GrainKeys.Split("t1/c/2"));
        Assert.Throws<ArgumentException>(() => GrainKeys.Split("nokey"));
    }

    [Fact(DisplayName = "Settings validation rejects a budget too small for the answer and keeps valid patches")]
    public void Settings_validation()
    {
        var s = new TenantSettings();
        Assert.Throws<ArgumentException>(() => TenantSettingsValidator.Apply(s, new TenantSettingsPatch { ContextBudgetTokens = 500 }));
        Assert.Throws<ArgumentException>(() => TenantSettingsValidator.Apply(s, new TenantSettingsPatch { MaxOutputTokens = 4000 }));
        Assert.Throws<ArgumentException>(() => TenantSettingsValidator.Apply(s, new TenantSettingsPatch { SummaryThresholdTokens = 100 }));
        var ok = TenantSettingsValidator.Apply(s, new TenantSettingsPatch { ContextBudgetTokens = 8000, SummaryThresholdTokens = 4000 });
        Assert.Equal((8000, 4000, s.MaxOutputTokens), (ok.ContextBudgetTokens, ok.SummaryThresholdTokens, ok.MaxOutputTokens));
    }

    [Fact(DisplayName = "The extractive responder quotes the sentence that shares the question's terms, not unrelated ones")]
    public void Extractive_quotes_relevant_sentence()
    {
        var request = new ModelRequest([
            new PromptMessage(ChatRoles.System, "You are helpful."),
            new PromptMessage(ChatRoles.User, "The cafeteria opens at eight. Parking permits renew in March."),
            new PromptMessage(ChatRoles.Assistant, "Noted."),
            new PromptMessage(ChatRoles.User, "When do parking permits renew?"),
        ], 100);
        var answer = ExtractiveResponder.Compose(request);
        Assert.Contains("Parking permits renew in March.", answer);
        Assert.DoesNotContain("cafeteria", answer);
        Assert.Contains("without a language model", answer);
    }

    [Fact(DisplayName = "The extractive responder quotes the retrieved sources after the question with their ids, never the system prompt")]
    public void Extractive_quotes_sources_not_instructions()
    {
        var final = Conversations.Prompting.Layout.PromptBuilder.FinalMessage("What is the bonus for managers?", [
            "[comp-manager#0] Manager plan\n# Manager bonus plan\nManagers get a yearly bonus of 15 percent. Reviews happen in June.",
            "[handbook#2] Handbook\nThe office opens at nine.",
        ]);
        var request = new ModelRequest([
            new PromptMessage(ChatRoles.System, "Answer questions about the bonus for managers and staff; cite sources as [source N]."),
            new PromptMessage(ChatRoles.User, final),
        ], 100);
        var answer = ExtractiveResponder.Compose(request);
        Assert.Contains("> Managers get a yearly bonus of 15 percent. [comp-manager#0]", answer);
        Assert.DoesNotContain("cite sources", answer);
        Assert.DoesNotContain("office opens", answer);
        Assert.DoesNotContain("# Manager bonus plan", answer); // a heading is not an answer
        var contact = ExtractiveResponder.Compose(new ModelRequest([new PromptMessage(ChatRoles.User, Conversations.Prompting.Layout.PromptBuilder.FinalMessage(
            "Who handles pay questions?", ["[handbook#0] Handbook\nPay questions go to HR at hr@demo.example. The office opens at 9.30 daily."]))], 100));
        Assert.Contains("> Pay questions go to HR at hr@demo.example. [handbook#0]", contact);
    }

    [Fact(DisplayName = "The extractive responder answers a Chinese question in Chinese and says when nothing matched")]
    public void Extractive_chinese_and_empty()
    {
        var none = ExtractiveResponder.Compose(new ModelRequest([new PromptMessage(ChatRoles.User, "报销流程是什么？")], 100));
        Assert.Contains("没有语言模型", none);
        Assert.Contains("没有找到", none);
        // Sources that share no words with the question are listed under the answer: it points to them instead.
        var unmatched = ExtractiveResponder.Compose(new ModelRequest([new PromptMessage(ChatRoles.User, Conversations.Prompting.Layout.PromptBuilder.FinalMessage(
            "What about parental leave?", ["[handbook#0] Handbook\nThe office opens at 9.30 daily."]))], 100));
        Assert.Contains("sources listed below", unmatched);
        Assert.DoesNotContain("found nothing", unmatched);
    }

    [Fact(DisplayName = "The extractive responder streams the same text it composes")]
    public async Task Extractive_streams_whole_text()
    {
        var request = new ModelRequest([new PromptMessage(ChatRoles.User, "Invoices go to finance@example.com."), new PromptMessage(ChatRoles.User, "Where do invoices go?")], 100);
        var parts = new List<string>();
        await foreach (var u in new ExtractiveResponder().StreamAsync(request, CancellationToken.None)) parts.Add(u.Text!);
        Assert.True(parts.Count > 3);
        Assert.Equal(ExtractiveResponder.Compose(request), string.Concat(parts));
    }
}
