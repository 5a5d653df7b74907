using System.Net.Http.Headers;

namespace Conversations.Knowledge.Tests.Api;

/// <summary>The knowledge API through HTTP with real keys against the real host.</summary>
public sealed class KnowledgeApiTests(KnowledgeApp app) : PostgresTests
{
    private static async Task<JsonElement> SearchAsync(HttpClient client, string question, int topK = 10)
    {
        var response = await client.PostAsJsonAsync("/v1/knowledge/search", new { question, topK });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static IEnumerable<string> DocumentIds(JsonElement result) =>
        result.GetProperty("chunks").EnumerateArray().Select(c => c.GetProperty("documentId").GetString()!);

    [Fact]
    public async Task In_the_demo_staff_get_no_manager_plan_managers_do_and_directors_get_all()
    {
        const string question = "What is the manager compensation plan bonus?";
        var alice = await SearchAsync(app.ClientWithKey(KnowledgeApp.AliceKey), question);
        var bob = await SearchAsync(app.ClientWithKey(KnowledgeDemoSeeder.ManagerKey), question);
        var carol = await SearchAsync(app.ClientWithKey(KnowledgeDemoSeeder.DirectorKey), "director compensation plan", 10);
        Assert.DoesNotContain("compensation-plan-manager", DocumentIds(alice));
        Assert.DoesNotContain("compensation-plan-director", DocumentIds(alice));
        Assert.Equal("compensation-plan-manager", DocumentIds(bob).First());
        Assert.DoesNotContain("compensation-plan-director", DocumentIds(bob));
        Assert.Equal(4, DocumentIds(carol).Distinct().Count());

        // How the search was planned, and how much of the base the caller may read, is for the admin only: a user must
        // not learn that hidden documents exist or how large they are.
        foreach (var user in new[] { alice, bob })
            foreach (var planning in new[] { "allowedShare", "aclVersion", "plan" })
                Assert.False(user.TryGetProperty(planning, out _), planning);
        var admin = await SearchAsync(app.ClientWithKey(KnowledgeApp.DemoAdminKey), question);
        Assert.True(admin.GetProperty("allowedShare").GetDouble() > 0);
        Assert.False(string.IsNullOrEmpty(admin.GetProperty("plan").GetString()));
    }

    [Fact]
    public async Task Two_tenants_with_the_same_labels_and_ids_never_see_each_other()
    {
        var tenants = new[] { TestIds.Tenant("iso"), TestIds.Tenant("iso") };
        // Each tenant's documents name it by a word made of its id's letters: the id's random digits can look like a
        // phone number, and search results are masked for personal data like an answer.
        var names = tenants.Select(t => "co" + new string([.. t.Where(char.IsLetterOrDigit).Select(c => char.IsDigit(c) ? (char)('g' + (c - '0')) : c)])).ToArray();
        var userKeys = new List<string>();
        foreach (var (t, name) in tenants.Zip(names))
        {
            var admin = app.ClientWithKey(await app.CreateTenantAsync(t));
            userKeys.Add(await app.CreateUserAsync(t, "user1"));
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/acl/roles/everyone", new { labels = new[] { "public", "secret" } })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/acl/users/user1/roles", new { roles = new[] { "everyone" } })).StatusCode);
            var upload = await admin.PostAsJsonAsync("/v1/knowledge/documents", new
            {
                documents = new[]
                {
                    new { id = "policy", title = "Policy", label = "public", content = $"The travel policy of {name} allows economy flights." },
                    new { id = "plan", title = "Plan", label = "secret", content = $"The secret bonus plan of {name} pays in March." },
                },
            });
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }
        for (var i = 0; i < 2; i++)
        {
            var result = await SearchAsync(app.ClientWithKey(userKeys[i]), "travel policy bonus plan", 20);
            var texts = result.GetProperty("chunks").EnumerateArray().Select(c => c.GetProperty("text").GetString()!).ToList();
            Assert.Equal(2, texts.Count);
            Assert.All(texts, text => Assert.Contains(names[i], text));
            Assert.DoesNotContain(texts, text => text.Contains(names[1 - i]));
        }
        // Another tenant's admin cannot see or delete the documents either.
        var otherAdmin = app.ClientWithKey(await app.CreateTenantAsync(TestIds.Tenant("iso")));
        Assert.Equal(HttpStatusCode.NotFound, (await otherAdmin.GetAsync("/v1/knowledge/documents/policy")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherAdmin.DeleteAsync("/v1/knowledge/documents/policy")).StatusCode);
    }

    [Fact(DisplayName = "An upload none of whose documents can be stored (no label, a bad label file field) is a 400 naming the field, and nothing is stored; a usable document beside a bad one is stored and the bad one reported")]
    public async Task An_upload_of_only_unusable_documents_is_a_400()
    {
        var admin = app.ClientWithKey(await app.CreateTenantAsync(TestIds.Tenant("bad")));
        var noLabel = await admin.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "a", title = "A", content = "Annual leave is 25 days." }, new { id = "b", title = "B", content = "Remote work is allowed." } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, noLabel.StatusCode);
        Assert.Equal("application/problem+json", noLabel.Content.Headers.ContentType?.MediaType);
        Assert.Contains("documents[0].label: label is required", (await noLabel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        using var form = new MultipartFormDataContent { { new StringContent("not a label!"), "label" } };
        form.Add(new ByteArrayContent("# Leave\nAnnual leave is 25 days."u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("text/markdown") } }, "file", "leave.md");
        var badLabel = await admin.PostAsync("/v1/knowledge/documents", form);
        Assert.Equal(HttpStatusCode.BadRequest, badLabel.StatusCode);
        Assert.Contains("The 'label' field", (await badLabel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        // Ids and labels a route could never name again (paths lose "." and ".." segments) are refused with the rule.
        foreach (var (id, label, field) in new[] { (".", "public", "documentId"), ("..", "public", "documentId"), ("ok", "hr/..", "label"), ("ok", "./hr", "label") })
        {
            var dotted = await admin.PostAsJsonAsync("/v1/knowledge/documents", new { documents = new[] { new { id, title = "Dots", label, content = "Dot text." } } });
            Assert.Equal(HttpStatusCode.BadRequest, dotted.StatusCode);
            Assert.Contains(field, (await dotted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        var list = await admin.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents");
        Assert.Equal(0, list.GetProperty("documents").GetArrayLength());

        var mixed = await admin.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[]
            {
                new { id = "ok", title = "Leave", label = "public", content = "Annual leave is 25 days." },
                new { id = "bad", title = "Bad", label = "not a label!", content = "Remote work is allowed." },
            },
        });
        Assert.Equal(HttpStatusCode.OK, mixed.StatusCode);
        var results = (await mixed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents").EnumerateArray()
            .ToDictionary(d => d.GetProperty("documentId").GetString()!, d => d.GetProperty("status").GetString());
        Assert.Equal(("created", "failed"), (results["ok"], results["bad"]));
    }

    [Fact(DisplayName = "A JSON upload may name its id documentId, as every answer does (not a document named after its title); id and documentId that differ are a 400")]
    public async Task An_upload_may_name_its_id_documentId()
    {
        var admin = app.ClientWithKey(await app.CreateTenantAsync(TestIds.Tenant("docid")));
        var upload = await admin.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new object[]
            {
                new { documentId = "leave-policy", title = "Leave", label = "public", content = "Annual leave is 25 days." },
                new { id = "remote", documentId = "remote", title = "Remote work", label = "public", content = "Remote work is allowed." },
            },
        });
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var ids = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents").EnumerateArray()
            .Select(d => d.GetProperty("documentId").GetString()).ToList();
        Assert.Equal(["leave-policy", "remote"], ids);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/knowledge/documents/leave")).StatusCode);

        var conflicting = await admin.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "a", documentId = "b", title = "A", label = "public", content = "Text." } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, conflicting.StatusCode);
        Assert.Contains("documents[0] names two ids", (await conflicting.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents")).GetProperty("documents").GetArrayLength());
    }

    [Fact(DisplayName = "An upload's summary names the labels of its stored documents that no role is granted (read by no one); a grant clears it")]
    public async Task Upload_names_labels_no_role_reads()
    {
        var admin = app.ClientWithKey(await app.CreateTenantAsync(TestIds.Tenant("unread")));
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "handbook" } })).StatusCode);
        async Task<List<string?>> UploadAsync(params (string Id, string Label, string Content)[] docs)
        {
            var upload = await admin.PostAsJsonAsync("/v1/knowledge/documents", new
            {
                documents = docs.Select(d => new { id = d.Id, title = d.Id, label = d.Label, content = d.Content }).ToArray(),
            });
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
            return [.. (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("unreadableLabels").EnumerateArray().Select(l => l.GetString())];
        }

        // A typo'd label and one not granted yet are named once each; the granted label and a failed document's are not.
        Assert.Equal(["handbok", "sales/emea"], await UploadAsync(("a", "handbook", "Leave is 25 days."), ("b", "handbok", "Travel is booked online."),
            ("c", "sales/emea", "Quotas are set in January."), ("d", "sales/emea", "Discounts need approval."), ("e", "secret/x", "")));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/v1/acl/roles/staff/grants", new { label = "sales/emea" })).StatusCode);
        Assert.Equal(["handbok"], await UploadAsync(("c", "sales/emea", "Quotas are set in February."), ("b", "handbok", "Travel is booked online.")));
        Assert.Empty(await UploadAsync(("a", "handbook", "Leave is 26 days.")));
    }

    [Fact(DisplayName = "A delete of a document its first upload is still embedding is a 409 document_being_stored with Retry-After, never a 404 the upload then contradicts; once the upload is done the delete removes it")]
    public async Task A_delete_during_the_documents_upload_is_refused_until_the_upload_is_done()
    {
        var admin = app.ClientWithKey(await app.CreateTenantAsync(TestIds.Tenant("kbdel")));
        // A document of a few hundred chunks: it is stored only once every chunk is embedded, seconds after the first batch.
        var content = string.Join(' ', Enumerable.Range(0, 1500).Select(i => $"Rule {i}: secret claims are filed within thirty days with every receipt attached."));
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/v1/knowledge/documents")
        {
            Content = JsonContent.Create(new { documents = new[] { new { id = "big", title = "Big", label = "secret", content } } }),
        };
        upload.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var streamed = await admin.SendAsync(upload, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        using var lines = new StreamReader(await streamed.Content.ReadAsStreamAsync());
        var first = JsonDocument.Parse((await lines.ReadLineAsync())!).RootElement;
        Assert.False(first.TryGetProperty("document", out var doc) && doc.ValueKind == JsonValueKind.Object, first.GetRawText());

        // The first embedding batch is done, the document is not stored: the delete says so instead of "not found".
        var during = await admin.DeleteAsync("/v1/knowledge/documents/big");
        Assert.Equal(HttpStatusCode.Conflict, during.StatusCode);
        var problem = await during.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("document_being_stored", "big"), (problem.GetProperty("code").GetString(), problem.GetProperty("documentId").GetString()));
        Assert.True(during.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        var rest = await lines.ReadToEndAsync();
        var last = JsonDocument.Parse(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.Equal("created", last.GetProperty("document").GetProperty("status").GetString());

        // The upload is done with it: the delete goes through and the document stays gone.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/v1/knowledge/documents/big")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/knowledge/documents/big")).StatusCode);
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents")).GetProperty("documents").GetArrayLength());
    }

    [Fact(DisplayName = "An upload whose documents all hold no text is a 400 naming the field and listing each document's reason; beside a stored document an empty one is reported failed in a 200")]
    public async Task An_upload_of_only_empty_documents_is_a_400_listing_each()
    {
        var admin = app.ClientWithKey(await app.CreateTenantAsync(TestIds.Tenant("kbempty")));
        var empty = await admin.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[]
            {
                new { id = "empty", title = "Empty", label = "public", content = "" },
                new { id = "blank", title = "Blank", label = "public", content = "  \n\t " },
            },
        });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
        var problem = await empty.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("documents[0].content", problem.GetProperty("field").GetString());
        Assert.Contains("no text", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var reasons = problem.GetProperty("documents").EnumerateArray()
            .ToDictionary(d => d.GetProperty("documentId").GetString()!, d => d.GetProperty("error").GetString());
        Assert.Equal(["blank", "empty"], reasons.Keys.Order());
        Assert.All(reasons.Values, r => Assert.Equal("The document has no text.", r));

        // An empty file alone, uploaded as a form, is the same 400, naming the file.
        using var form = new MultipartFormDataContent { { new StringContent("public"), "label" } };
        form.Add(new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("text/markdown") } }, "file", "nothing.md");
        var emptyFile = await admin.PostAsync("/v1/knowledge/documents", form);
        Assert.Equal(HttpStatusCode.BadRequest, emptyFile.StatusCode);
        var fileProblem = await emptyFile.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("file", fileProblem.GetProperty("field").GetString());
        Assert.Contains("'nothing'", fileProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents")).GetProperty("documents").GetArrayLength());

        // One stored document makes the upload a 200 that reports the empty one.
        var mixed = await admin.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[]
            {
                new { id = "empty", title = "Empty", label = "public", content = "" },
                new { id = "leave", title = "Leave", label = "public", content = "Annual leave is 25 days." },
            },
        });
        Assert.Equal(HttpStatusCode.OK, mixed.StatusCode);
        var statuses = (await mixed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents").EnumerateArray()
            .ToDictionary(d => d.GetProperty("documentId").GetString()!, d => d.GetProperty("status").GetString());
        Assert.Equal(("failed", "created"), (statuses["empty"], statuses["leave"]));
    }

    [Fact]
    public async Task A_lookup_names_the_ids_an_upload_would_give_and_what_is_stored_under_them()
    {
        var tenant = TestIds.Tenant("look");
        var admin = app.ClientWithKey(await app.CreateTenantAsync(tenant));
        // Stored by a multipart upload: the ids its file names get are the ids the lookup must name.
        using var form = new MultipartFormDataContent { { new StringContent("handbook"), "label" } };
        foreach (var name in new[] { "Travel Policy.md", "员工手册.md" })
            form.Add(new StringContent($"# {name}\n\nThe policy text of {name}.") { Headers = { ContentType = new MediaTypeHeaderValue("text/markdown") } }, "file", name);
        var upload = await admin.PostAsync("/v1/knowledge/documents", form);
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var uploaded = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents").EnumerateArray()
            .Select(d => d.GetProperty("documentId").GetString()!).ToList();

        var lookup = await admin.PostAsJsonAsync("/v1/knowledge/documents/lookup", new { fileNames = new[] { "Travel Policy.md", "员工手册.md", "new notes.txt" } });
        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
        var files = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(uploaded, files.Take(2).Select(f => f.GetProperty("documentId").GetString()!).ToList());
        Assert.All(files.Take(2), f => Assert.Equal("handbook", f.GetProperty("stored").GetProperty("label").GetString()));
        Assert.Equal("new-notes", files[2].GetProperty("documentId").GetString());
        Assert.False(files[2].TryGetProperty("stored", out var none) && none.ValueKind != JsonValueKind.Null, "nothing is stored under new-notes");

        // A lookup changes nothing: a read-only admin key may ask, and bad input is a 400 naming the field.
        var readOnly = await admin.PostAsync($"/v1/users/admin/keys?scope=read-only", null);
        Assert.Equal(HttpStatusCode.Created, readOnly.StatusCode);
        var reader = app.ClientWithKey((await readOnly.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, (await reader.PostAsJsonAsync("/v1/knowledge/documents/lookup", new { fileNames = new[] { "a.md" } })).StatusCode);
        foreach (var bad in new object[] { new { fileNames = Array.Empty<string>() }, new { fileNames = new[] { "..." } }, new { names = new[] { "a.md" } } })
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/v1/knowledge/documents/lookup", bad)).StatusCode);
    }

    [Fact]
    public async Task A_revoke_through_the_api_hides_the_chunks_from_the_next_search()
    {
        var tenant = TestIds.Tenant("rev");
        var admin = app.ClientWithKey(await app.CreateTenantAsync(tenant));
        var bob = app.ClientWithKey(await app.CreateUserAsync(tenant, "bob"));
        await admin.PutAsJsonAsync("/v1/acl/roles/staff", new { labels = new[] { "handbook" } });
        await admin.PutAsJsonAsync("/v1/acl/roles/manager", new { includes = new[] { "staff" }, labels = new[] { "compensation/manager" } });
        await admin.PutAsJsonAsync("/v1/acl/users/bob/roles", new { roles = new[] { "manager" } });
        await admin.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "mgr", title = "Manager plan", label = "compensation/manager", content = "Manager bonus is up to 20%." } },
        });
        Assert.Contains("mgr", DocumentIds(await SearchAsync(bob, "manager bonus")));

        var revoke = await admin.DeleteAsync("/v1/acl/roles/manager/grants/compensation/manager");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.DoesNotContain("mgr", DocumentIds(await SearchAsync(bob, "manager bonus")));
        // What the role does not hold (any more), or a role that does not exist, is a 404, not a revoke that did nothing.
        var again = await admin.DeleteAsync("/v1/acl/roles/manager/grants/compensation/manager");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("grant of label 'compensation/manager'", await again.Content.ReadAsStringAsync());
        var noRole = await admin.DeleteAsync("/v1/acl/roles/nobody/grants/handbook");
        Assert.Equal(HttpStatusCode.NotFound, noRole.StatusCode);
        Assert.Contains("Role 'nobody'", await noRole.Content.ReadAsStringAsync());
        // A revoke that did nothing leaves the version alone: nobody's cached access is thrown away for it.
        var revokedAt = (await revoke.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
        Assert.Equal(revokedAt, (await admin.GetFromJsonAsync<JsonElement>("/v1/acl")).GetProperty("version").GetInt64());

        // A user's labels name what they may read now; an unknown user is a 404, as for their roles.
        var labels = (await admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/v1/acl/users/bob/labels"))!["labels"]!.AsArray();
        Assert.Equal(["handbook"], labels.Select(l => l!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/acl/users/nobody-here/labels")).StatusCode);

        // A body that names no list takes nothing away: a role keeps its labels, a user their roles (only [] clears).
        foreach (var body in new[] { "", "null", "{}", "{\"roles\": null}" })
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync("/v1/acl/users/bob/roles", content)).StatusCode);
            using var roleContent = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync("/v1/acl/roles/staff", roleContent)).StatusCode);
        }
        labels = (await admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/v1/acl/users/bob/labels"))!["labels"]!.AsArray();
        Assert.Equal(["handbook"], labels.Select(l => l!.GetValue<string>()));
    }

    [Fact]
    public async Task A_role_put_that_names_one_list_keeps_the_other()
    {
        var tenant = TestIds.Tenant("keep");
        var admin = app.ClientWithKey(await app.CreateTenantAsync(tenant));
        await admin.PutAsJsonAsync("/v1/acl/roles/staff", new { labels = new[] { "handbook" } });
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/acl/roles/manager", new { includes = Array.Empty<string>(), labels = new[] { "pay" } })).StatusCode);
        // Only the includes named: the role keeps its labels.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/acl/roles/manager", new { includes = new[] { "staff" } })).StatusCode);
        var acl = (await admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/v1/acl"))!;
        var manager = acl["roles"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "manager")!;
        Assert.Equal(["pay"], manager["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(["staff"], manager["includes"]!.AsArray().Select(l => l!.GetValue<string>()));
        // Only the labels named: the includes stay; [] clears a list.
        await admin.PutAsJsonAsync("/v1/acl/roles/manager", new { labels = Array.Empty<string>() });
        acl = (await admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/v1/acl"))!;
        manager = acl["roles"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "manager")!;
        Assert.Empty(manager["labels"]!.AsArray());
        Assert.Equal(["staff"], manager["includes"]!.AsArray().Select(l => l!.GetValue<string>()));
    }

    [Fact]
    public async Task A_cycle_is_a_400_and_users_cannot_edit_the_acl()
    {
        var tenant = TestIds.Tenant("cyc");
        var admin = app.ClientWithKey(await app.CreateTenantAsync(tenant));
        await admin.PutAsJsonAsync("/v1/acl/roles/staff", new { labels = Array.Empty<string>() });
        await admin.PutAsJsonAsync("/v1/acl/roles/manager", new { includes = new[] { "staff" } });
        var cycle = await admin.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = new[] { "manager" } });
        Assert.Equal(HttpStatusCode.BadRequest, cycle.StatusCode);
        Assert.Contains("cycle", await cycle.Content.ReadAsStringAsync());

        var user = app.ClientWithKey(await app.CreateUserAsync(tenant, "u"));
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/v1/acl")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsJsonAsync("/v1/knowledge/documents", new { documents = Array.Empty<object>() })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWithKey(null).PostAsJsonAsync("/v1/knowledge/search", new { question = "x" })).StatusCode);
    }

    [Fact]
    public async Task Search_results_are_masked_like_a_chat_answer_and_the_findings_are_recorded()
    {
        var tenant = TestIds.Tenant("mask");
        var admin = app.ClientWithKey(await app.CreateTenantAsync(tenant));
        var user = app.ClientWithKey(await app.CreateUserAsync(tenant, "u1"));
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/acl/roles/staff", new { labels = new[] { "handbook" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/acl/users/u1/roles", new { roles = new[] { "staff" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/moderation/lexicons/codenames",
            new { words = new[] { "bluefalcon" }, riskLevel = "medium", action = "mask" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/moderation/lexicons/forbidden",
            new { words = new[] { "redkestrel" }, riskLevel = "high", action = "block" })).StatusCode);
        var upload = await admin.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[]
            {
                new { id = "contacts", title = "Payroll contacts", label = "handbook",
                      content = "Payroll questions go to jane.doe@example.com. The payroll card is 4111 1111 1111 1111. Project bluefalcon pays payroll bonuses." },
                new { id = "secret", title = "Payroll secret", label = "handbook",
                      content = "The redkestrel payroll plan pays out quarterly bonuses to payroll staff." },
            },
        });
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);

        var result = await SearchAsync(user, "payroll bonuses contacts", 10);
        var chunks = result.GetProperty("chunks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("documentId").GetString()!, c => c.GetProperty("text").GetString()!);
        var contacts = chunks["contacts"];
        Assert.DoesNotContain("jane.doe@example.com", contacts);
        Assert.DoesNotContain("4111 1111 1111 1111", contacts);
        Assert.DoesNotContain("bluefalcon", contacts, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("***", contacts); // the lexicon word's mask, as in a chat answer
        Assert.Contains("Payroll questions go to", contacts); // the rest of the chunk is still there
        // A blocking term withholds the chunk's text, as chat withholds the rest of an answer.
        Assert.DoesNotContain("redkestrel", chunks["secret"], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("quarterly", chunks["secret"]);

        // The findings are moderation events, like a chat answer's, with the content masked.
        JsonElement events = default;
        for (var i = 0; i < 50; i++)
        {
            events = await admin.GetFromJsonAsync<JsonElement>("/v1/moderation/events?phase=output&conversationId=knowledge-search");
            if (events.GetProperty("events").GetArrayLength() >= 2) break;
            await Task.Delay(100);
        }
        var recorded = events.GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(recorded, e => e.GetProperty("action").GetString() == "mask");
        Assert.Contains(recorded, e => e.GetProperty("action").GetString() == "block");
        Assert.DoesNotContain("jane.doe@example.com", events.GetRawText());
    }

    [Fact]
    public async Task A_multipart_batch_streams_progress_and_a_repeat_is_unchanged()
    {
        var tenant = TestIds.Tenant("mp");
        var admin = app.ClientWithKey(await app.CreateTenantAsync(tenant));
        HttpRequestMessage Request()
        {
            var form = new MultipartFormDataContent { { new StringContent("handbook"), "label" } };
            form.Add(new StringContent("# Leave policy\n\nEveryone has 25 days of leave."), "files", "leave.md");
            form.Add(new StringContent("Expenses are paid within 30 days."), "files", "expenses.txt");
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/knowledge/documents") { Content = form };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
            return request;
        }
        var first = await admin.SendAsync(Request());
        Assert.Equal("application/x-ndjson", first.Content.Headers.ContentType?.MediaType);
        var lines = (await first.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(lines.Count >= 3); // at least one embedding step and one line per document
        Assert.Equal(2, lines[^1].GetProperty("documentsDone").GetInt32());
        var statuses = lines.Where(l => l.TryGetProperty("document", out _)).Select(l => l.GetProperty("document").GetProperty("status").GetString()).ToList();
        Assert.Equal(["created", "created"], statuses);

        var again = await admin.SendAsync(Request());
        var repeat = (await again.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.TryGetProperty("document", out _))
            .Select(l => l.GetProperty("document").GetProperty("status").GetString()).ToList();
        Assert.Equal(["unchanged", "unchanged"], repeat);

        var list = await admin.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents");
        var docs = list.GetProperty("documents").EnumerateArray().ToList();
        Assert.Equal(["expenses", "leave"], docs.Select(d => d.GetProperty("documentId").GetString()));
        Assert.Equal("Leave policy", docs[1].GetProperty("title").GetString());
    }

    [Fact]
    public async Task Files_named_in_Chinese_get_ids_of_their_own_and_keep_their_names_as_titles()
    {
        var admin = app.ClientWithKey(await app.CreateTenantAsync(TestIds.Tenant("zhname")));
        HttpRequestMessage Request()
        {
            var form = new MultipartFormDataContent { { new StringContent("handbook"), "label" } };
            form.Add(new StringContent("年假为十五天。"), "files", "员工手册.md");
            form.Add(new StringContent("报销在三十天内完成。"), "files", "报销制度.txt");
            form.Add(new StringContent("Leave is fifteen days."), "files", "2025 员工手册.md");
            return new HttpRequestMessage(HttpMethod.Post, "/v1/knowledge/documents") { Content = form };
        }
        var first = await admin.SendAsync(Request());
        Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        var created = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents").EnumerateArray().ToList();
        Assert.All(created, d => Assert.Equal("created", d.GetProperty("status").GetString()));
        Assert.Equal(3, created.Select(d => d.GetProperty("documentId").GetString()).Distinct().Count());

        // The same files again are the same documents: the ids come from the names, not from chance.
        var again = await (await admin.SendAsync(Request())).Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(again.GetProperty("documents").EnumerateArray(), d => Assert.Equal("unchanged", d.GetProperty("status").GetString()));
        var titles = (await admin.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents")).GetProperty("documents").EnumerateArray()
            .Select(d => d.GetProperty("title").GetString()).Order().ToList();
        Assert.Equal(["2025 员工手册", "员工手册", "报销制度"], titles);
    }

    [Theory]
    [InlineData(new byte[] { 0x43, 0x61, 0x66, 0xE9, 0x20, 0x70, 0x6C, 0x61, 0x6E }, "is not UTF-8 text")] // "Café plan" in Latin-1
    [InlineData(new byte[] { 0xC4, 0xEA, 0xBC, 0xD9 }, "is not UTF-8 text")] // 年假 in GBK
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x00, 0x00 }, "looks like a binary file")] // a zip (a .docx) renamed .md
    public async Task A_file_that_is_not_UTF8_text_is_refused_by_name_and_nothing_is_stored(byte[] bytes, string reason)
    {
        var admin = app.ClientWithKey(await app.CreateTenantAsync(TestIds.Tenant("enc")));
        var form = new MultipartFormDataContent { { new StringContent("handbook"), "label" } };
        form.Add(new StringContent("Expenses are paid within 30 days."), "files", "expenses.md");
        form.Add(new ByteArrayContent(bytes), "files", "plan.md");
        var response = await admin.PostAsync("/v1/knowledge/documents", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("'plan.md' " + reason, detail, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0000", detail, StringComparison.Ordinal);
        var list = await admin.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents");
        Assert.Empty(list.GetProperty("documents").EnumerateArray());
    }
}
