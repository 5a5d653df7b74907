namespace Conversations.IntegrationTests.Browser;

/// <summary>
/// The platform the chat page is tested against: a real process on a scratch database whose chat model is the local
/// OpenAI-compatible test model, answering in Markdown with a citation, slowly enough to be seen streaming.
/// </summary>
public sealed class WebChatFixture() : ModelPlatformHost("web", OperatorKey)
{
    /// <summary>The operator key configured for the process.</summary>
    public const string OperatorKey = "cvk_webop_web-operator-secret";

    /// <summary>The model id the platform is configured with.</summary>
    public const string ModelId = "test-model";

    /// <summary>The id, label and text of the document every test tenant's user may read.</summary>
    public const string DocumentId = "leave";

    /// <summary>What the document says (the passage a citation opens).</summary>
    public const string DocumentText = "Parental leave is sixteen weeks at full pay for every employee.";

    /// <summary>The model's answer: Markdown with bold text, a list, a code block and a citation of the document.</summary>
    public const string Answer =
        "Parental leave is **sixteen weeks** at full pay [leave#0].\n\n" +
        "- It applies to every employee\n- It can start any time in the first year\n\n" +
        "```python\nweeks = 16\nprint(weeks)\n```\n";

    /// <summary>The usual answer speed: a few seconds per answer, so a test sees it streaming.</summary>
    public static readonly ModelBehavior Streaming = new()
    {
        ScriptedAnswer = Answer,
        TimeToFirstToken = TimeSpan.FromMilliseconds(300),
        TimePerToken = TimeSpan.FromMilliseconds(60),
    };

    /// <summary>Puts the model back to <see cref="Streaming"/>.</summary>
    public void ResetModel() => Model.Control.SetModel(ModelId, Streaming);

    /// <summary>
    /// Has the model answer with <paramref name="answerTokens"/> unscripted tokens, <paramref name="timePerToken"/> apart,
    /// so a test can act mid-answer; disposing it puts the model back to <see cref="Streaming"/>.
    /// </summary>
    public IDisposable AnswerSlowly(int answerTokens, TimeSpan timePerToken)
    {
        Model.Control.SetModel(ModelId, Streaming with { ScriptedAnswer = null, AnswerTokens = answerTokens, TimePerToken = timePerToken });
        return new ModelReset(this);
    }

    /// <summary>
    /// Has the model wait <paramref name="timeToFirstToken"/> before its first token, so the turn's progress shows for at
    /// least that long whatever the host's load (the first text replaces it, and on a busy host the question's commit can
    /// outlast the usual 0.3 s, when the progress and the first text arrive together); disposing it puts the model back.
    /// </summary>
    public IDisposable StartSlowly(TimeSpan timeToFirstToken)
    {
        Model.Control.SetModel(ModelId, Streaming with { TimeToFirstToken = timeToFirstToken });
        return new ModelReset(this);
    }

    /// <summary>Has the model answer with <paramref name="answer"/> (as the usual answer streams); disposing it puts the model back to <see cref="Streaming"/>.</summary>
    public IDisposable AnswerWith(string answer)
    {
        Model.Control.SetModel(ModelId, Streaming with { ScriptedAnswer = answer });
        return new ModelReset(this);
    }

    private sealed class ModelReset(WebChatFixture fixture) : IDisposable
    {
        public void Dispose() => fixture.ResetModel();
    }

    /// <summary>A tenant whose user alice (role staff) may read <see cref="DocumentId"/>; returns the user's key and the tenant id.</summary>
    public async Task<(string UserKey, string TenantId)> NewReaderAsync()
    {
        var (userKey, _, tenantId) = await NewReaderWithAdminAsync();
        return (userKey, tenantId);
    }

    /// <summary>As <see cref="NewReaderAsync"/>, with the tenant admin's key too (for tests that change the tenant's settings).</summary>
    public async Task<(string UserKey, string AdminKey, string TenantId)> NewReaderWithAdminAsync()
    {
        var (adminKey, userKey) = await NewTenantKeysAsync("web");
        using var admin = As(adminKey);
        await admin.RaiseRateLimitsAsync();
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }), HttpStatusCode.OK);
        var upload = await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = DocumentId, title = "Leave policy", label = "public", content = DocumentText } },
        });
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        using var user = As(userKey);
        var me = await user.GetJsonAsync("/v1/me");
        return (userKey, adminKey, me["tenantId"]!.GetValue<string>());
    }

    /// <inheritdoc />
    protected override TestModelOptions ModelOptions => new() { Models = new Dictionary<string, ModelBehavior> { [ModelId] = Streaming } };

    /// <summary>
    /// One whole turn through the API before any browser: a cold process compiles and loads the embedding model on its
    /// first turn, which on a loaded machine can take longer than a page should wait for an answer.
    /// </summary>
    protected override async Task PlatformStartedAsync()
    {
        var (key, _) = await NewReaderAsync();
        using var user = As(key);
        var events = await user.SendAsync(await user.CreateConversationAsync("warm-up"), "How long is parental leave?");
        Assert.Contains(events, e => e.Name == "done");
    }

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        UseModelForChat(environment, ModelId);
        environment["Models__Chat__FirstTokenTimeout"] = "00:00:10";
        environment["Models__Chat__StallTimeout"] = "00:00:10";
        environment["Models__Chat__Vision"] = "true"; // the page can attach images
    }
}

/// <summary>The browser tests of the chat page, sharing one platform.</summary>
[CollectionDefinition(Name)]
public sealed class WebChatCollection : ICollectionFixture<WebChatFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "web-chat";
}
