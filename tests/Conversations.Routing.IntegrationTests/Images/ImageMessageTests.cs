using System.Net.Http.Headers;
using OpenAI.Chat;

namespace Conversations.Routing.IntegrationTests.Images;

/// <summary>
/// Images in messages, end to end: uploads and URLs are checked and stored per owner, only vision-capable models get
/// them (as OpenAI content parts: a text part and an image_url data URL), URLs to loopback, private and metadata
/// addresses are refused, and the tenant's hash blocklist refuses a turn like any moderation finding.
/// </summary>
public sealed class ImageMessageTests(RoutingPlatform fx) : RoutingPlatformTests
{
    // A 1×1 PNG; each test appends its own bytes after the end chunk, so hashes differ between tests.
    private static readonly byte[] Pixel = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    private static byte[] UniquePng() => [.. Pixel, .. Guid.NewGuid().ToByteArray()];

    // A tenant whose small and large models read no images, plus a vision-capable model "eye".
    private static async Task<TestTenant> WithVisionModelAsync(TestTenant t)
    {
        await t.PutModelAsync("eye", "small", 0.5m, vision: true);
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false });
        return t;
    }

    private static async Task<HttpResponseMessage> UploadAsync(ApiClient client, byte[] bytes, string contentType = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await client.Http.PostAsync("/v1/images", content);
    }

    private static async Task<JsonNode> UploadOkAsync(ApiClient client, byte[] bytes)
    {
        var res = await UploadAsync(client, bytes);
        await ApiClient.EnsureAsync(res, HttpStatusCode.Created);
        return (await res.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    private static Task<HttpResponseMessage> PostMessageAsync(ApiClient client, string conversationId, object body) =>
        client.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1/conversations/{conversationId}/messages") { Content = JsonContent.Create(body) },
            HttpCompletionOption.ResponseHeadersRead);

    private static async Task<List<SseEvent>> SendAsync(ApiClient client, string conversationId, object body)
    {
        using var res = await PostMessageAsync(client, conversationId, body);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
        return await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync());
    }

    [Fact(DisplayName = "An uploaded image reaches the vision-capable model as OpenAI content parts, and history names it")]
    public async Task Image_reaches_the_vision_model_as_content_parts()
    {
        using var t = await WithVisionModelAsync(await fx.NewTenantAsync());
        var png = UniquePng();
        var image = await UploadOkAsync(t.User, png);
        var imageId = image["imageId"]!.GetValue<string>();
        Assert.Equal("image/png", image["mediaType"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png)), image["sha256"]!.GetValue<string>());

        var conversation = await t.User.CreateConversationAsync();
        var events = await SendAsync(t.User, conversation, new { text = "What colour is this pixel?", imageIds = new[] { imageId } });
        Assert.Equal("eye", events.Done()["model"]!.GetValue<string>());

        // The vision model got the question as a text part and the image as an image_url data URL; the others got nothing.
        var request = fx.Model.Requests.Last(r => r.Model == t.ServerName("eye"));
        var question = request.Messages.Last(m => m.Role == "user");
        Assert.Contains("What colour is this pixel?", question.Content, StringComparison.Ordinal);
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(png), Assert.Single(question.ImageUrls));
        Assert.DoesNotContain(fx.Model.Requests, r => r.Model == t.ServerName("small") || r.Model == t.ServerName("large"));

        var stored = await t.User.MessagesAsync(conversation);
        Assert.Equal(imageId, Assert.Single(stored[0]!["imageIds"]!.AsArray())!.GetValue<string>());
        var read = await t.User.Http.GetAsync($"/v1/images/{imageId}");
        await ApiClient.EnsureAsync(read, HttpStatusCode.OK);
        Assert.Equal(png, await read.Content.ReadAsByteArrayAsync());
    }

    [Fact(DisplayName = "Deleting a conversation deletes the images its questions carried (404 after), but not one another conversation carries too")]
    public async Task Images_go_with_their_conversation()
    {
        using var t = await WithVisionModelAsync(await fx.NewTenantAsync());
        var only = (await UploadOkAsync(t.User, UniquePng()))["imageId"]!.GetValue<string>();
        var shared = (await UploadOkAsync(t.User, UniquePng()))["imageId"]!.GetValue<string>();
        var doomed = await t.User.CreateConversationAsync();
        var kept = await t.User.CreateConversationAsync();
        Assert.Equal("done", (await SendAsync(t.User, doomed, new { text = "What is in these?", imageIds = new[] { only, shared } }))[^1].Name);
        Assert.Equal("done", (await SendAsync(t.User, kept, new { text = "And in this one?", imageIds = new[] { shared } }))[^1].Name);

        Assert.Equal(HttpStatusCode.NoContent, (await t.User.Http.DeleteAsync($"/v1/conversations/{doomed}")).StatusCode);
        await ApiClient.ProblemAsync(await t.User.Http.GetAsync($"/v1/images/{only}"), HttpStatusCode.NotFound);
        await ApiClient.EnsureAsync(await t.User.Http.GetAsync($"/v1/images/{shared}"), HttpStatusCode.OK);
    }

    private static string DataUrl(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    [Fact(DisplayName = "A follow-up question goes to a vision model with the earlier questions' images again, in their own messages: at most 4, newest first")]
    public async Task Follow_up_sees_earlier_images()
    {
        using var t = await fx.NewTenantAsync();
        await t.PutModelAsync("eye", "small", 0.5m, vision: true);
        // Room for four images (765 estimated tokens each) beside the history.
        await t.Admin.PatchSettingsAsync(new { contextBudgetTokens = 16000 });
        await t.SetPolicyAsync(new { smallModelId = "eye", largeModelId = "eye", exactCache = false, semanticCache = false, hardCodedReplies = false });
        byte[][] car = [UniquePng(), UniquePng()];
        byte[][] garage = [UniquePng(), UniquePng(), UniquePng()];
        var conversation = await t.User.CreateConversationAsync();
        foreach (var (text, pngs) in new[] { ("Two photos of my car.", car), ("Three of my garage.", garage) })
        {
            var ids = new List<string>();
            foreach (var png in pngs) ids.Add((await UploadOkAsync(t.User, png))["imageId"]!.GetValue<string>());
            Assert.Equal("done", (await SendAsync(t.User, conversation, new { text, imageIds = ids }))[^1].Name);
        }

        var events = await SendAsync(t.User, conversation, new { text = "And what colour is the car?" });
        Assert.Equal("eye", events.Done()["model"]!.GetValue<string>());
        var questions = fx.Model.Requests.Last(r => r.Model == t.ServerName("eye") && r.Messages.Any(m => m.Content.Contains("what colour is the car", StringComparison.Ordinal)))
            .Messages.Where(m => m.Role == "user").ToList();
        Assert.Equal(3, questions.Count);
        // Four in all: the newer question's three, then the first of the older one's.
        Assert.Equal([DataUrl(car[0])], questions[0].ImageUrls);
        Assert.Equal(garage.Select(DataUrl), questions[1].ImageUrls);
        Assert.Contains("what colour is the car", questions[2].Content, StringComparison.Ordinal);
        Assert.Empty(questions[2].ImageUrls);
    }

    [Fact(DisplayName = "A text follow-up after an image question is answered by a text model with the text history alone, not refused")]
    public async Task Text_follow_up_goes_to_a_text_model_without_images()
    {
        using var t = await WithVisionModelAsync(await fx.NewTenantAsync());
        var imageId = (await UploadOkAsync(t.User, UniquePng()))["imageId"]!.GetValue<string>();
        var conversation = await t.User.CreateConversationAsync();
        Assert.Equal("eye", (await SendAsync(t.User, conversation, new { text = "What is in this picture?", imageIds = new[] { imageId } })).Done()["model"]!.GetValue<string>());

        var events = await SendAsync(t.User, conversation, new { text = "Thanks. And how do I reset my password?" });
        var model = events.Done()["model"]!.GetValue<string>();
        Assert.Contains(model, new[] { "small", "large" });
        var request = fx.Model.Requests.Last(r => r.Model == t.ServerName(model) && r.Messages.Any(m => m.Content.Contains("reset my password", StringComparison.Ordinal)));
        Assert.Contains(request.Messages, m => m.Content.Contains("What is in this picture?", StringComparison.Ordinal));
        Assert.All(request.Messages, m => Assert.Empty(m.ImageUrls));
    }

    [Fact(DisplayName = "An image counts in the turn's worst case: a budget the text question fits in refuses the same question with an image")]
    public async Task Image_tokens_count_in_the_budget()
    {
        using var t = await fx.NewTenantAsync();
        await t.PutModelAsync("eye", "small", 1000m, vision: true);
        // One model for every turn, so both questions are priced at the same model.
        object Policy(decimal budget) => new
        {
            smallModelId = "eye", largeModelId = "eye", exactCache = false, semanticCache = false, hardCodedReplies = false,
            monthlyBudgetUsd = budget, atBudgetLimit = "refuse",
        };
        var imageId = (await UploadOkAsync(t.User, UniquePng()))["imageId"]!.GetValue<string>();
        const string question = "What is in this picture?";
        object text = new { text = question }, withImage = new { text = question, imageIds = new[] { imageId } };

        // Under a budget too small for any turn, the refusal names the turn's worst case.
        await t.SetPolicyAsync(Policy(0.000001m));
        async Task<decimal> WorstCaseAsync(object body)
        {
            var error = Assert.Single(await SendAsync(t.User, await t.User.CreateConversationAsync(), body), e => e.Name == "error");
            Assert.Equal("budget_too_small", error.Data["code"]!.GetValue<string>());
            var cost = Regex.Match(error.Data["message"]!.GetValue<string>(), @"can cost \(\$([0-9.,]+) at most\)");
            Assert.True(cost.Success, error.Data["message"]!.GetValue<string>());
            return decimal.Parse(cost.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        }
        var textWorst = await WorstCaseAsync(text);
        var imageWorst = await WorstCaseAsync(withImage);
        // 765 estimated tokens at $1,000 a million prompt tokens.
        Assert.InRange(imageWorst - textWorst, 0.76m, 0.78m);

        await t.SetPolicyAsync(Policy(decimal.Round((textWorst + imageWorst) / 2, 2)));
        var calls = fx.Model.Requests.Count(r => r.Model == t.ServerName("eye"));
        var refused = Assert.Single(await SendAsync(t.User, await t.User.CreateConversationAsync(), withImage), e => e.Name == "error");
        Assert.Equal("budget_too_small", refused.Data["code"]!.GetValue<string>());
        Assert.Equal(calls, fx.Model.Requests.Count(r => r.Model == t.ServerName("eye")));
        Assert.Equal("done", (await SendAsync(t.User, await t.User.CreateConversationAsync(), text))[^1].Name);
    }

    [Fact(DisplayName = "With no vision-capable model in the catalog, a message with an image is refused saying so, and no model is called")]
    public async Task No_vision_model_refuses_clearly()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false });
        var imageId = (await UploadOkAsync(t.User, UniquePng()))["imageId"]!.GetValue<string>();
        var calls = fx.Model.Requests.Count(r => r.Model.EndsWith(t.ServerName(""), StringComparison.Ordinal));

        var conversation = await t.User.CreateConversationAsync();
        var events = await SendAsync(t.User, conversation, new { text = "What is in this picture?", imageIds = new[] { imageId } });
        var error = Assert.Single(events, e => e.Name == "error");
        Assert.Equal("no_vision_model", error.Data["code"]!.GetValue<string>());
        Assert.Contains("images", error.Data["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(calls, fx.Model.Requests.Count(r => r.Model.EndsWith(t.ServerName(""), StringComparison.Ordinal)));
        Assert.Equal("refused", (await t.User.MessagesAsync(conversation))[^1]!["status"]!.GetValue<string>());

        // The same question without the image is answered by the text models.
        Assert.Equal("done", (await SendAsync(t.User, conversation, new { text = "What is in this picture?" }))[^1].Name);

        // Clients learn it before sending: /v1/me says no question here may carry images, until a model reads them.
        Assert.False((await t.User.GetJsonAsync("/v1/me"))["readsImages"]!.GetValue<bool>());
        await t.PutModelAsync("eye", "small", 0.5m, vision: true);
        Assert.True((await t.User.GetJsonAsync("/v1/me"))["readsImages"]!.GetValue<bool>());
    }

    [Fact(DisplayName = "On the OpenAI-compatible route, an image no model can read and a blocklisted image are 400s naming the reason, not 500s")]
    public async Task Openai_route_refuses_images_with_a_client_error()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false });
        async Task<JsonNode> RefusedAsync(byte[] png)
        {
            using var res = await PostAsync(t.User, new
            {
                model = "auto",
                messages = new object[] { new { role = "user", content = new object[] { new { type = "text", text = "Describe this" }, new { type = "image_url", image_url = new { url = DataUrl(png) } } } } },
            });
            Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
            var error = JsonNode.Parse(await res.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
            return error;
        }

        var noVision = await RefusedAsync(UniquePng());
        Assert.Equal("no_vision_model", noVision["code"]!.GetValue<string>());

        await t.PutModelAsync("eye", "small", 0.5m, vision: true);
        var png = UniquePng();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png));
        await ApiClient.EnsureAsync(await t.Admin.Http.PutAsJsonAsync($"/v1/moderation/image-blocklist/{sha}", new { note = "known bad picture" }), HttpStatusCode.NoContent);
        var blocked = await RefusedAsync(png);
        Assert.Equal("image_refused", blocked["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "On the OpenAI-compatible route, images sent with an X-Conversation-Id that is not the caller's conversation are a 404 and nothing is stored against the tenant's image quota")]
    public async Task Openai_route_checks_the_conversation_before_storing_images()
    {
        using var t = await fx.NewTenantAsync();
        await t.PutModelAsync("eye", "small", 0.5m, vision: true);
        using var other = await fx.NewTenantAsync();
        var (_, othersConversation) = await CompleteAsync(other.User, Ask("Hello there"));
        foreach (var conversationId in new[] { othersConversation, "c_doesnotexist" })
        {
            using var res = await PostAsync(t.User, new
            {
                model = "auto",
                messages = new object[] { new { role = "user", content = new object[] { new { type = "text", text = "Describe this" }, new { type = "image_url", image_url = new { url = DataUrl(UniquePng()) } } } } },
            }, conversationId);
            Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
            Assert.Equal("conversation_not_found", JsonNode.Parse(await res.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        }
        await using var db = NpgsqlDataSource.Create(fx.Database.ConnectionString);
        await using var count = db.CreateCommand("SELECT count(*) FROM message_images WHERE tenant_id = $1");
        count.Parameters.AddWithValue(t.TenantId);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Theory(DisplayName = "An image URL to a loopback, metadata, private or link-local address is refused with a 400 naming the rule")]
    [InlineData("http://127.0.0.1:9/pixel.png", "loopback")]
    [InlineData("http://localhost:9/pixel.png", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "metadata")]
    [InlineData("http://10.1.2.3/pixel.png", "private")]
    [InlineData("http://[::ffff:192.168.1.10]/pixel.png", "private")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/", "metadata")]
    public async Task Image_urls_to_internal_addresses_are_refused(string url, string rule)
    {
        using var t = await fx.NewTenantAsync();
        var conversation = await t.User.CreateConversationAsync();
        var problem = await ApiClient.ProblemAsync(await PostMessageAsync(t.User, conversation, new { text = "Describe this", imageUrls = new[] { url } }), HttpStatusCode.BadRequest);
        Assert.Equal("image_blocked_address", problem["code"]!.GetValue<string>());
        Assert.Contains(rule, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await t.User.MessagesAsync(conversation)); // nothing was stored, no turn ran

        // The OpenAI-compatible route applies the same rule to an image_url part.
        var openAi = await PostAsync(t.User, new
        {
            model = "auto",
            messages = new object[] { new { role = "user", content = new object[] { new { type = "text", text = "Describe this" }, new { type = "image_url", image_url = new { url } } } } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, openAi.StatusCode);
        Assert.Contains(rule, await openAi.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // A 1×1 GIF and a 1×1 lossless WebP, as encoders write them.
    private static readonly byte[] GifPixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
    private static readonly byte[] WebPPixel = Convert.FromBase64String("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");

    // A baseline JPEG's segments around one byte of scan data: SOI, a 1×1 one-component frame, a scan, EOI.
    private static readonly byte[] JpegPixel =
        [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00,
         0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x00, 0xFF, 0xD9];

    [Fact(DisplayName = "An upload with an image's first bytes but not a whole image (a PNG cut inside its header, a GIF without its image, a JPEG without its frame, a WebP shorter than it says) is a 400 image_invalid naming the body; whole images of each type are stored")]
    public async Task Broken_images_are_refused_whole_ones_stored()
    {
        using var t = await fx.NewTenantAsync();
        foreach (var (whole, type) in new[] { (UniquePng(), "image/png"), (GifPixel, "image/gif"), (WebPPixel, "image/webp"), (JpegPixel, "image/jpeg") })
        {
            var stored = await UploadAsync(t.User, whole, type);
            await ApiClient.EnsureAsync(stored, HttpStatusCode.Created);
            Assert.Equal(type, (await stored.Content.ReadFromJsonAsync<JsonNode>())!["mediaType"]!.GetValue<string>());
        }

        var broken = new (byte[] Bytes, string Type)[]
        {
            (Pixel[..30], "image/png"), // signature and part of IHDR
            (Pixel[..^12], "image/png"), // no IEND
            (GifPixel[..20], "image/gif"),
            (JpegPixel[..4], "image/jpeg"),
            ([.. JpegPixel[..2], .. JpegPixel[15..]], "image/jpeg"), // a scan with no frame
            (WebPPixel[..30], "image/webp"),
        };
        foreach (var (bytes, type) in broken)
        {
            var problem = await ApiClient.ProblemAsync(await UploadAsync(t.User, bytes, type), HttpStatusCode.BadRequest);
            Assert.Equal(("image_invalid", "body"), (problem["code"]!.GetValue<string>(), problem["field"]!.GetValue<string>()));
            Assert.Contains(type, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact(DisplayName = "Bad uploads are 4xx problems: not an image, a type that lies, too large, empty, too many images, an unknown id")]
    public async Task Bad_uploads_are_refused()
    {
        using var t = await fx.NewTenantAsync();
        var notImage = await ApiClient.ProblemAsync(await UploadAsync(t.User, "just some text, not a picture"u8.ToArray()), HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("image_type", notImage["code"]!.GetValue<string>());
        var lying = await ApiClient.ProblemAsync(await UploadAsync(t.User, UniquePng(), "image/jpeg"), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("image/png", lying["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // A type the route does not read at all: the answer names the image types it reads, not JSON.
        var html = await ApiClient.ProblemAsync(await UploadAsync(t.User, UniquePng(), "text/html"), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("image/png", html["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("text/html", html["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("application/json", html["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        byte[] huge = [.. Pixel, .. new byte[5 * 1024 * 1024]];
        var tooLarge = await ApiClient.ProblemAsync(await UploadAsync(t.User, huge), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("5,242,880", tooLarge["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await ApiClient.ProblemAsync(await UploadAsync(t.User, []), HttpStatusCode.BadRequest);

        var conversation = await t.User.CreateConversationAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await UploadOkAsync(t.User, UniquePng()))["imageId"]!.GetValue<string>());
        var tooMany = await ApiClient.ProblemAsync(await PostMessageAsync(t.User, conversation, new { text = "Compare these", imageIds = ids }), HttpStatusCode.BadRequest);
        Assert.Contains("limit is 4", tooMany["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await ApiClient.ProblemAsync(await PostMessageAsync(t.User, conversation, new { text = "Look", imageIds = new[] { "img_doesnotexist" } }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await PostMessageAsync(t.User, conversation, new { text = "Look", imageUrls = new[] { "ftp://example.com/a.png" } }), HttpStatusCode.BadRequest);
    }

    [Fact(DisplayName = "Past the tenant's image storage limit an image is refused with a 409 image_quota_exceeded (upload and OpenAI data URL alike) and not stored; another tenant uploads on")]
    public async Task Images_past_the_tenant_limit_are_refused()
    {
        using var t = await WithVisionModelAsync(await fx.NewTenantAsync());
        static byte[] Big() => [.. UniquePng(), .. new byte[120_000]];
        await UploadOkAsync(t.User, Big());
        await UploadOkAsync(t.User, Big());

        var refused = await ApiClient.ProblemAsync(await UploadAsync(t.User, Big()), HttpStatusCode.Conflict);
        Assert.Equal("image_quota_exceeded", refused["code"]!.GetValue<string>());
        Assert.Contains("not stored", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using (var res = await PostAsync(t.User, new
        {
            model = "auto",
            messages = new object[] { new { role = "user", content = new object[] { new { type = "text", text = "Describe this" }, new { type = "image_url", image_url = new { url = DataUrl(Big()) } } } } },
        }))
        {
            Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
            Assert.Equal("image_quota_exceeded", JsonNode.Parse(await res.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        }

        // Neither refused image was stored: a small one still fits under the limit (it would not, had they been).
        Assert.True(2 * 120_000 + 1_000 < RoutingPlatform.ImageBytesPerTenant && 3 * 120_000 > RoutingPlatform.ImageBytesPerTenant);
        await UploadOkAsync(t.User, UniquePng());
        using var other = await fx.NewTenantAsync();
        await UploadOkAsync(other.User, Big());

        // Uploads at the same moment are each checked against the others: one more fits, whatever the order.
        var racing = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => UploadAsync(other.User, Big())));
        Assert.Equal(1, racing.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var r in racing.Where(r => (int)r.StatusCode >= 400))
            Assert.Equal("image_quota_exceeded", (await ApiClient.ProblemAsync(r, HttpStatusCode.Conflict))["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "Another tenant's (or another user's) image id is a 404, in a message and on the image route")]
    public async Task Other_owners_images_are_not_found()
    {
        using var a = await fx.NewTenantAsync();
        using var b = await WithVisionModelAsync(await fx.NewTenantAsync());
        var theirs = (await UploadOkAsync(a.User, UniquePng()))["imageId"]!.GetValue<string>();

        var conversation = await b.User.CreateConversationAsync();
        await ApiClient.ProblemAsync(await PostMessageAsync(b.User, conversation, new { text = "Look", imageIds = new[] { theirs } }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await b.User.Http.GetAsync($"/v1/images/{theirs}"), HttpStatusCode.NotFound);
        // Same tenant, another user (the admin): still not theirs.
        await ApiClient.ProblemAsync(await a.Admin.Http.GetAsync($"/v1/images/{theirs}"), HttpStatusCode.NotFound);
        await ApiClient.EnsureAsync(await a.User.Http.GetAsync($"/v1/images/{theirs}"), HttpStatusCode.OK);
    }

    [Fact(DisplayName = "An image on the tenant's hash blocklist refuses the turn, records a moderation event, and calls no model")]
    public async Task Blocklisted_image_is_refused()
    {
        using var t = await WithVisionModelAsync(await fx.NewTenantAsync());
        var png = UniquePng();
        var image = await UploadOkAsync(t.User, png);
        var sha = image["sha256"]!.GetValue<string>();
        await ApiClient.EnsureAsync(await t.Admin.Http.PutAsJsonAsync($"/v1/moderation/image-blocklist/{sha}", new { note = "known bad picture" }), HttpStatusCode.NoContent);
        var list = await t.Admin.GetJsonAsync("/v1/moderation/image-blocklist");
        Assert.Equal(sha, Assert.Single(list["images"]!.AsArray())!["sha256"]!.GetValue<string>());
        await ApiClient.ProblemAsync(await t.Admin.Http.PutAsJsonAsync("/v1/moderation/image-blocklist/not-a-hash", new { note = "" }), HttpStatusCode.BadRequest);

        var calls = fx.Model.Requests.Count(r => r.Model == t.ServerName("eye"));
        var conversation = await t.User.CreateConversationAsync();
        var events = await SendAsync(t.User, conversation, new { text = "What is this?", imageIds = new[] { image["imageId"]!.GetValue<string>() } });
        var error = Assert.Single(events, e => e.Name == "error");
        Assert.Equal("image_refused", error.Data["code"]!.GetValue<string>());
        Assert.Contains("image", error.Data["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("image_blocklist", error.Data["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(calls, fx.Model.Requests.Count(r => r.Model == t.ServerName("eye")));
        var moderation = await t.Admin.GetJsonAsync($"/v1/moderation/events?conversationId={conversation}&phase=input");
        var recorded = Assert.Single(moderation["events"]!.AsArray())!;
        Assert.Equal("block", recorded["action"]!.GetValue<string>());

        // Unblocked, the same image is answered.
        await ApiClient.EnsureAsync(await t.Admin.Http.DeleteAsync($"/v1/moderation/image-blocklist/{sha}"), HttpStatusCode.NoContent);
        var again = await SendAsync(t.User, conversation, new { text = "What is this?", imageIds = new[] { image["imageId"]!.GetValue<string>() } });
        Assert.Equal("done", again[^1].Name);
    }

    [Fact(DisplayName = "On the OpenAI-compatible route a data URL that is no image is a 400 in OpenAI's terms: invalid_image_url or invalid_image_format, naming the message")]
    public async Task Openai_route_names_bad_data_urls()
    {
        using var t = await WithVisionModelAsync(await fx.NewTenantAsync());
        async Task<JsonNode> RefusedAsync(string url)
        {
            using var res = await PostAsync(t.User, new
            {
                model = "auto",
                messages = new object[] { new { role = "system", content = "Be brief." },
                    new { role = "user", content = new object[] { new { type = "text", text = "Describe this" }, new { type = "image_url", image_url = new { url } } } } },
            });
            var body = await res.Content.ReadAsStringAsync();
            Assert.True(res.StatusCode == HttpStatusCode.BadRequest, body);
            var error = JsonNode.Parse(body)!["error"]!;
            Assert.Equal("messages[1].content", error["param"]!.GetValue<string>());
            return error;
        }

        Assert.Equal("invalid_image_format", (await RefusedAsync("data:text/plain;base64," + Convert.ToBase64String("hello"u8.ToArray())))["code"]!.GetValue<string>());
        Assert.Equal("invalid_image_url", (await RefusedAsync("data:image/png;base64,not*base64"))["code"]!.GetValue<string>());
        Assert.Equal("invalid_image_url", (await RefusedAsync("data:image/png,raw"))["code"]!.GetValue<string>());
    }

    [Fact(DisplayName = "On the OpenAI-compatible route a user message of an image alone is answered by the vision model, and the next turn still carries that image")]
    public async Task Openai_route_takes_an_image_alone()
    {
        using var t = await WithVisionModelAsync(await fx.NewTenantAsync());
        var png = UniquePng();
        using var res = await PostAsync(t.User, new
        {
            model = "auto",
            messages = new object[] { new { role = "user", content = new object[] { new { type = "image_url", image_url = new { url = DataUrl(png) } } } } },
        });
        var body = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.OK, body);
        Assert.False(string.IsNullOrEmpty(JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>()));
        var request = fx.Model.Requests.Last(r => r.Model == t.ServerName("eye"));
        Assert.Equal(DataUrl(png), Assert.Single(request.Messages[^1].ImageUrls));

        // The follow-up in the same conversation sends the image again with the earlier question.
        var conversation = res.Headers.GetValues(ConversationHeader).Single();
        using var next = await PostAsync(t.User, new { model = "auto", messages = new object[] { new { role = "user", content = "And what colour is it?" } } }, conversation);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        var followUp = fx.Model.Requests.Last(r => r.Model == t.ServerName("eye"));
        Assert.Contains(followUp.Messages, m => m.Role == "user" && m.ImageUrls.Contains(DataUrl(png)));
    }

    [Fact(DisplayName = "The OpenAI-compatible route takes an image_url part (the official .NET client's data URL) to the vision model")]
    public async Task Openai_route_takes_image_parts()
    {
        using var t = await WithVisionModelAsync(await fx.NewTenantAsync());
        var png = UniquePng();
        var client = new ChatClient("auto", new System.ClientModel.ApiKeyCredential(UserKey(t)),
            new OpenAI.OpenAIClientOptions { Endpoint = new Uri($"{fx.BaseUrl}/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });
        var result = await client.CompleteChatAsync([new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("Describe the picture"), ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png"))]);
        Assert.Equal(ChatFinishReason.Stop, result.Value.FinishReason);
        var request = fx.Model.Requests.Last(r => r.Model == t.ServerName("eye"));
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(png), Assert.Single(request.Messages.Last(m => m.Role == "user").ImageUrls));
    }

    [Fact(DisplayName = "A thumbs-down answer to a question with images does not become a text-only evaluation case: 422 saying images are not supported; a text question still does")]
    public async Task Feedback_case_with_images_is_refused()
    {
        using var t = await WithVisionModelAsync(await fx.NewTenantAsync());
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            setId = "colours", name = "Colours", cases = new[] { new { question = "What colour is the sky?", userId = "alice" } },
        }), HttpStatusCode.Created);
        var imageId = (await UploadOkAsync(t.User, UniquePng()))["imageId"]!.GetValue<string>();
        var conversation = await t.User.CreateConversationAsync();
        var seq = (await SendAsync(t.User, conversation, new { text = "What colour is this pixel?", imageIds = new[] { imageId } }))
            .Done()["assistantMessageSeq"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.OK, (await t.User.PostAsync($"/v1/conversations/{conversation}/messages/{seq}/feedback", new { rating = "down" })).Status);

        var refused = await ApiClient.ProblemAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets/colours/cases/from-feedback",
            new { conversationId = conversation, seq }), (HttpStatusCode)422);
        Assert.Contains("images are not supported in evaluation cases", refused["detail"]!.GetValue<string>());
        Assert.Single((await t.GetAsync("/v1/evaluations/sets/colours"))["cases"]!.AsArray());

        // The same vote on a text question is a case.
        var textSeq = (await t.User.SendAsync(conversation, "And what colour is grass?")).Done()["assistantMessageSeq"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.OK, (await t.User.PostAsync($"/v1/conversations/{conversation}/messages/{textSeq}/feedback", new { rating = "down" })).Status);
        await ApiClient.EnsureAsync(await t.Admin.Http.PostAsJsonAsync("/v1/evaluations/sets/colours/cases/from-feedback",
            new { conversationId = conversation, seq = textSeq }), HttpStatusCode.Created);
        Assert.Equal("And what colour is grass?", (await t.GetAsync("/v1/evaluations/sets/colours"))["cases"]![1]!["question"]!.GetValue<string>());
    }
}
