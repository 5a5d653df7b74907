using Conversations.Contracts.Audit;

namespace Conversations.IntegrationTests.Unit;

/// <summary>What an audit entry keeps of a state or body: the changed parts, secrets hidden, large values as a digest.</summary>
public sealed class AuditJsonTests
{
    [Fact(DisplayName = "Changes keep only differing members, recursively; arrays keep removed and added elements")]
    public void Changes_keep_what_differs()
    {
        var before = JsonNode.Parse("""{"version":1,"name":"a","roles":{"bob":["staff"],"carol":["hr"]},"events":[1,2,3]}""");
        var after = JsonNode.Parse("""{"version":2,"name":"a","roles":{"bob":["staff","hr"],"carol":["hr"]},"events":[2,3,4],"added":true}""");
        var (b, a) = AuditJson.Changes(before, after);
        Assert.Equal("""{"version":1,"roles":{"bob":[]},"events":[1]}""", b!.ToJsonString());
        Assert.Equal("""{"version":2,"roles":{"bob":["hr"]},"events":[4],"added":true}""", a!.ToJsonString());
        Assert.Equal((null, null), AuditJson.Changes(before, before!.DeepClone()));
        // Only the order changed: both arrays whole, so the change is not lost.
        var (ob, oa) = AuditJson.Changes(JsonNode.Parse("[1,2]"), JsonNode.Parse("[2,1]"));
        Assert.Equal("[1,2]", ob!.ToJsonString());
        Assert.Equal("[2,1]", oa!.ToJsonString());
    }

    [Fact(DisplayName = "Secrets are hidden and anything over 4 KB is kept as its size and SHA-256")]
    public void Secrets_hidden_and_large_values_digested()
    {
        var redacted = AuditJson.Redact(JsonNode.Parse("""{"apiKey":"sk-1","models":[{"clientSecret":"x","maxTokens":5}]}"""))!.ToJsonString();
        Assert.DoesNotContain("sk-1", redacted);
        Assert.Contains("\"maxTokens\":5", redacted);
        var large = new string('a', AuditJson.MaxInlineBytes + 1);
        var digest = AuditJson.BoundedText(System.Text.Json.JsonSerializer.Serialize(new { text = large }))!;
        Assert.Equal(AuditJson.MaxInlineBytes + 12, digest["bytes"]!.GetValue<int>());
        Assert.Equal(64, digest["sha256"]!.GetValue<string>().Length);
        Assert.Equal("""{"text":"small"}""", AuditJson.BoundedText("""{"text":"small"}""")!.ToJsonString());
    }
}
