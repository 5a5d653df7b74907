namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>Answer caches serve repeats without a model call and never across access scopes.</summary>
public sealed class CacheScopeTests(RoutingPlatform fx) : RoutingPlatformTests
{
    private const string Question = "What is the parental leave policy?";

    // alice and bob are staff (label "public"); carol is in hr (labels "public" and "hr"): a different read scope.
    private async Task<(ApiClient Bob, ApiClient Carol)> SetUpAccessAsync(TestTenant t)
    {
        var bob = t.Admin.CreateUserWithKeyAsync("bob");
        var carol = t.Admin.CreateUserWithKeyAsync("carol");
        await Ensure(await t.Admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }));
        await Ensure(await t.Admin.Http.PutAsJsonAsync("/v1/acl/roles/hr", new { includes = new[] { "staff" }, labels = new[] { "hr" } }));
        await Ensure(await t.Admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }));
        await Ensure(await t.Admin.Http.PutAsJsonAsync("/v1/acl/users/bob/roles", new { roles = new[] { "staff" } }));
        await Ensure(await t.Admin.Http.PutAsJsonAsync("/v1/acl/users/carol/roles", new { roles = new[] { "hr" } }));
        await Ensure(await t.Admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[]
            {
                new { id = "leave", title = "Leave policy", label = "public", content = "Parental leave is sixteen weeks at full pay for every employee." },
                new { id = "leave-hr", title = "Leave notes for HR", label = "hr", content = "HR only: parental leave cases under review are listed in the case tracker." },
            },
        }));
        return (fx.As(await bob), fx.As(await carol));
    }

    private static async Task Ensure(HttpResponseMessage res)
    {
        if (!res.IsSuccessStatusCode) Assert.Fail($"{(int)res.StatusCode}: {await res.Content.ReadAsStringAsync()}");
    }

    [Fact(DisplayName = "Exact cache: a colleague with the same access gets the cached answer without a model call; a user with other labels never does")]
    public async Task Exact_cache_respects_scope()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", exactCache = true, semanticCache = false });
        var (bob, carol) = await SetUpAccessAsync(t);
        using var _b = bob;
        using var _c = carol;

        var first = await t.AskAsync(Question);
        Assert.DoesNotContain("cache", first.Done()["route"]!.GetValue<string>());
        await Task.Delay(300); // the cache entry is written after the turn, off its path

        var calls = fx.Model.Requests.Count;
        var colleague = await t.AskAsync("what is the parental leave policy", bob);
        Assert.Equal("exact-cache", colleague.Done()["model"]!.GetValue<string>());
        Assert.Equal(first.AnswerText(), colleague.AnswerText());
        Assert.Equal(calls, fx.Model.Requests.Count);

        var other = await t.AskAsync(Question, carol);
        Assert.NotEqual("exact-cache", other.Done()["model"]!.GetValue<string>());
        Assert.Equal(calls + 1, fx.Model.Requests.Count);
    }

    [Fact(DisplayName = "Semantic cache: the same question hits within one scope and misses in another; revoking a label moves the user to a new scope")]
    public async Task Semantic_cache_respects_scope()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = true, semanticThreshold = 0.95 });
        var (bob, carol) = await SetUpAccessAsync(t);
        using var _b = bob;
        using var _c = carol;

        var hr = await t.AskAsync(Question, carol);
        Assert.NotEqual("semantic-cache", hr.Done()["model"]!.GetValue<string>());
        await Task.Delay(300);
        Assert.Equal("semantic-cache", (await t.AskAsync(Question + "?", carol)).Done()["model"]!.GetValue<string>());
        // alice reads less than carol: carol's answer (built with HR-only chunks) must not reach her.
        Assert.NotEqual("semantic-cache", (await t.AskAsync(Question)).Done()["model"]!.GetValue<string>());

        // Revoke "hr" from carol's role: she now shares alice's scope, and never again carol's old one.
        await Ensure(await t.Admin.Http.DeleteAsync("/v1/acl/roles/hr/grants/hr"));
        await Task.Delay(300);
        var after = await t.AskAsync(Question, carol);
        Assert.Equal("semantic-cache", after.Done()["model"]!.GetValue<string>());
        Assert.DoesNotContain("carol", after.Done()["route"]!.GetValue<string>());
    }
}
