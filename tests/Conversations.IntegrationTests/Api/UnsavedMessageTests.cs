using System.Net.Http.Headers;

namespace Conversations.IntegrationTests.Api;

/// <summary>
/// A send answers 200 only once its question is stored. A turn that fails before that answers 503 "Message not saved"
/// (code storage_unavailable, Retry-After), never a stream that looks like an accepted message, and the conversation's
/// history does not hold the question. The failures are real: PostgreSQL refuses the question's row, or a stage before
/// the question's commit cannot read what it needs.
/// </summary>
public sealed class UnsavedMessageTests(PlatformFixture fx) : PlatformTests
{
    private static Task<HttpResponseMessage> PostAsync(ApiClient user, string conversationId, object body) =>
        user.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{conversationId}/messages") { Content = JsonContent.Create(body) },
            HttpCompletionOption.ResponseHeadersRead);

    private static async Task<JsonNode> AssertNotSavedAsync(HttpResponseMessage res)
    {
        var problem = await ApiClient.ProblemAsync(res, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Message not saved", problem["title"]!.GetValue<string>());
        Assert.Equal("storage_unavailable", problem["code"]!.GetValue<string>());
        Assert.Equal(TimeSpan.FromSeconds(5), res.Headers.RetryAfter?.Delta);
        return problem;
    }

    private static async Task<List<string>> QuestionsAsync(ApiClient user, string conversationId) =>
        (await user.MessagesAsync(conversationId)).Where(m => m!["role"]!.GetValue<string>() == "user")
            .Select(m => m!["content"]!.GetValue<string>()).ToList();

    [Fact(DisplayName = "A question PostgreSQL refuses to store answers 503 'Message not saved' with Retry-After; history does not hold it, and the next send is stored")]
    public async Task Refused_question_is_not_acknowledged()
    {
        var (user, id) = await fx.NewConversationAsync("unsaved");
        await user.SendAsync(id, "The first question is stored.");

        HttpResponseMessage res;
        await using (await fx.Database.RefuseWritesAsync("messages", $"NEW.conversation_id = '{id}' AND NEW.role = 'user'"))
            res = await PostAsync(user, id, new { text = "This question is never stored." });
        using (res)
        {
            var problem = await AssertNotSavedAsync(res);
            // The turn's own words: its write failed, so nothing was sent.
            Assert.Contains("couldn't save your message", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Equal(["The first question is stored."], await QuestionsAsync(user, id));

        // The conversation goes on where it was: the next question takes the seq the refused one would have had.
        var events = await user.SendAsync(id, "The second question is stored.");
        Assert.True(events[^1].Name == "done", events.Dump());
        var messages = await user.MessagesAsync(id);
        Assert.Equal(Enumerable.Range(1, 4).Select(i => (long)i), messages.Select(m => m!["seq"]!.GetValue<long>()));
        Assert.Equal(["The first question is stored.", "The second question is stored."], await QuestionsAsync(user, id));
    }

    [Fact(DisplayName = "A turn that fails in a stage before its question is stored (an unreadable image) answers 503 'Message not saved', not a 200 stream with an error")]
    public async Task Turn_failing_before_the_commit_is_not_acknowledged()
    {
        var (user, id) = await fx.NewConversationAsync("unsaved");
        // A 1×1 PNG with bytes of its own, so its hash is this test's.
        byte[] png = [.. Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
            .. Guid.NewGuid().ToByteArray()];
        var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var upload = await user.Http.PostAsync("/v1/images", content);
        await ApiClient.EnsureAsync(upload, HttpStatusCode.Created);
        var imageId = (await upload.Content.ReadFromJsonAsync<JsonNode>())!["imageId"]!.GetValue<string>();

        // The image's sealed bytes no longer open: the API still finds the image (it reads no bytes), but the input
        // check, which loads them before the question's commit starts, throws, and the turn ends with an error that is
        // not the commit's own.
        await fx.Database.ExecuteAsync($"UPDATE message_images SET content = '\\x01'::bytea || content WHERE image_id = '{imageId}'");

        using var res = await PostAsync(user, id, new { text = "What is in this picture?", imageIds = new[] { imageId } });
        var problem = await AssertNotSavedAsync(res);
        Assert.Contains("couldn't confirm that your message was saved", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await user.MessagesAsync(id));
    }
}
