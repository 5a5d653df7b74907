using Conversations.TestModel.Behavior;

namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>
/// A knowledge search that fails after the question was stored (the embedding endpoint answers 503) is told as what it
/// is: the message was saved (200, "received"), and the answer was interrupted; never a 503 "not saved" that invites
/// the client to send a second copy.
/// </summary>
public sealed class KnowledgeSearchFailureTests(ExternalEmbeddingsFixture fx) : IClassFixture<ExternalEmbeddingsFixture>
{
    private const string EmbeddingModel = "all-MiniLM-L6-v2";

    [Fact(DisplayName = "A failed knowledge search after the question is stored answers 200 with 'received' and 'interrupted'; history holds the question once")]
    public async Task Failed_search_after_the_commit_is_acknowledged()
    {
        using var tenant = await fx.NewTenantAsync("dsrf");
        // Retrieval only embeds for a user who may read something.
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } })).StatusCode);
        var conversation = await tenant.User.CreateConversationAsync();
        var question = $"What is the travel policy for trip {Guid.NewGuid():n}?";

        fx.Embeddings.Control.FailAlways(EmbeddingModel, 503);
        List<SseEvent> events;
        try
        {
            events = await tenant.User.SendAsync(conversation, question);
        }
        finally
        {
            fx.Embeddings.Control.ClearFault(EmbeddingModel);
        }
        Assert.Contains(events, e => e.Name == "progress" && e.Data["stage"]?.GetValue<string>() == "received");
        Assert.True(events[^1].Name == "error", events.Dump());
        Assert.Equal("interrupted", events[^1].Data["code"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Name == "delta");

        var messages = await tenant.User.MessagesAsync(conversation);
        Assert.Single(messages, m => m!["role"]!.GetValue<string>() == "user" && m["content"]!.GetValue<string>() == question);

        // The endpoint is back: the next question is answered as usual.
        var next = await tenant.User.SendAsync(conversation, "And the expense policy?");
        Assert.True(next[^1].Name == "done", next.Dump());
    }
}
