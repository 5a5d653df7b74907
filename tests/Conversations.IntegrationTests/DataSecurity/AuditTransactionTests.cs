namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>
/// An admin change and its audit entry commit together: a refused entry leaves no change, a refused change leaves no
/// entry. The refusals are triggers on one tenant's rows, so the real route, silo and database do the rest.
/// </summary>
public sealed class AuditTransactionTests(DataSecurityFixture fx) : DataSecurityTests
{
    private async Task<(string TenantId, ApiClient Admin)> NewTenantAsync()
    {
        var tenantId = TestIds.Tenant("audtx");
        using var op = fx.Operator();
        return (tenantId, fx.As(await op.CreateTenantAsync(tenantId)));
    }

    // A trigger that refuses the rows of one table for one tenant (and action, for the audit log) until it is dropped.
    private Task<IAsyncDisposable> RefuseAsync(string table, string when) => fx.Database.RefuseWritesAsync(table, when);

    private static async Task<int> EntriesAsync(ApiClient admin, string action) =>
        (await admin.GetJsonAsync($"/v1/audit?action={action}&limit=500"))["entries"]!.AsArray().Count;

    private async Task<long> StateVersionAsync(string tenantId)
    {
        await using var conn = await fx.Database.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("SELECT coalesce(sum(version), 0)::bigint FROM orleans_grain_state WHERE grain_id_extension_string = @t", conn);
        cmd.Parameters.AddWithValue("t", tenantId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static void AssertFailed(HttpResponseMessage res) =>
        Assert.True((int)res.StatusCode >= 500, $"expected the change to fail, got {(int)res.StatusCode}");

    [Fact(DisplayName = "An admin change whose audit entry is refused does not happen: settings, ACL, routing and lexicons stay as they were")]
    public async Task Refused_entry_leaves_no_change()
    {
        var (tenantId, admin) = await NewTenantAsync();
        using (admin)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Kept." })).StatusCode);
            var settingsEntries = await EntriesAsync(admin, "admin.UpdateTenantSettings");
            Assert.Equal(1, settingsEntries);
            var version = await StateVersionAsync(tenantId);

            await using (await RefuseAsync("audit_log", $"NEW.tenant_id = '{tenantId}'"))
            {
                AssertFailed(await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Never stored." }));
                AssertFailed(await admin.Http.PutAsJsonAsync("/v1/acl/roles/auditors", new { includes = Array.Empty<string>(), labels = new[] { "audit" } }));
                AssertFailed(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1", new
                {
                    endpoint = "https://models.example.com/v1", modelName = "m1", tier = "small",
                    inputPerMillion = 0.1, outputPerMillion = 0.2, contextWindowTokens = 8000,
                }));
                AssertFailed(await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/refused",
                    new { words = new[] { "zqrefused" }, riskLevel = "high", action = "block", label = "custom" }));
                AssertFailed(await admin.Http.PostAsJsonAsync("/v1/users", new { userId = "refused", displayName = "Refused", role = "user" }));
                AssertFailed(await UploadAsync(admin, "refused-doc", "Refused text."));
                AssertFailed(await admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
                {
                    setId = "refused-set", name = "Refused", cases = new[] { new { question = "Anything?", facts = new[] { "x" }, userId = "admin" } },
                }));
            }

            // Nothing changed, in the grains (what the API answers) or in the database.
            Assert.Equal("Kept.", (await admin.GetJsonAsync("/v1/tenant/settings"))["instructions"]!.GetValue<string>());
            Assert.DoesNotContain("auditors", (await admin.GetJsonAsync("/v1/acl/")).ToJsonString());
            Assert.DoesNotContain("m1", (await admin.GetJsonAsync("/v1/routing/")).ToJsonString());
            Assert.DoesNotContain("zqrefused", (await admin.GetJsonAsync("/v1/moderation/lexicons")).ToJsonString());
            Assert.Equal(version, await StateVersionAsync(tenantId));
            Assert.Equal(settingsEntries, await EntriesAsync(admin, "admin.UpdateTenantSettings"));
            Assert.DoesNotContain("\"refused\"", (await admin.GetJsonAsync("/v1/users")).ToJsonString());
            Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/knowledge/documents/refused-doc")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/evaluations/sets/refused-set")).StatusCode);

            // Once entries are accepted again, the same change goes through with exactly one entry.
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Stored now." })).StatusCode);
            Assert.Equal(settingsEntries + 1, await EntriesAsync(admin, "admin.UpdateTenantSettings"));
            var entry = (await admin.GetJsonAsync("/v1/audit?action=admin.UpdateTenantSettings&limit=1"))["entries"]![0]!;
            Assert.Equal("Kept.", entry["before"]!["instructions"]!.GetValue<string>());
            Assert.Equal("Stored now.", entry["after"]!["state"]!["instructions"]!.GetValue<string>());
            Assert.Equal("Stored now.", entry["after"]!["request"]!["instructions"]!.GetValue<string>());
        }
    }

    private static Task<HttpResponseMessage> UploadAsync(ApiClient admin, string id, string content) =>
        admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new { documents = new[] { new { id, title = "Title " + id, label = "public", content } } });

    [Fact(DisplayName = "Document uploads and deletions are audited in their transaction, with the text's digest, never the text")]
    public async Task Documents_are_audited_with_their_change()
    {
        var (tenantId, admin) = await NewTenantAsync();
        using (admin)
        {
            var marker = "zqdoc" + Guid.NewGuid().ToString("n")[..10];
            var res = await UploadAsync(admin, "handbook", $"The handbook says {marker} about travel.");
            Assert.True(res.IsSuccessStatusCode, await res.Content.ReadAsStringAsync());
            var upload = (await admin.GetJsonAsync("/v1/audit?action=admin.UploadDocuments"))["entries"]!.AsArray().Single()!;
            Assert.Equal("handbook", upload["after"]!["state"]!["documentId"]!.GetValue<string>());
            Assert.Equal(64, upload["after"]!["request"]!["sha256"]!.GetValue<string>().Length);
            Assert.True(upload["after"]!["request"]!["bytes"]!.GetValue<long>() > 0);
            Assert.DoesNotContain(marker, (await admin.GetJsonAsync("/v1/audit?limit=500")).ToJsonString());

            // A deletion whose entry is refused leaves the document; accepted, it records what was deleted.
            await using (await RefuseAsync("audit_log", $"NEW.tenant_id = '{tenantId}'"))
                AssertFailed(await admin.Http.DeleteAsync("/v1/knowledge/documents/handbook"));
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/v1/knowledge/documents/handbook")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync("/v1/knowledge/documents/handbook")).StatusCode);
            var delete = (await admin.GetJsonAsync("/v1/audit?action=admin.DeleteDocument"))["entries"]!.AsArray().Single()!;
            Assert.Equal("Title handbook", delete["before"]!["title"]!.GetValue<string>());
        }
    }

    [Fact(DisplayName = "Creating a tenant and destroying its data key commit with their platform audit entries")]
    public async Task Key_destruction_is_audited_with_it()
    {
        var (tenantId, admin) = await NewTenantAsync();
        using (admin)
        using (var op = fx.Operator())
        {
            // The tenant's creation is in the platform's trail, written with the tenant's row.
            var created = (await op.GetJsonAsync("/v1/audit?action=admin.CreateTenant&limit=500"))["entries"]!.AsArray();
            Assert.Single(created, e => e!["after"]!["state"]!["tenantId"]!.GetValue<string>() == tenantId);
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Sealed." })).StatusCode);
            await using (await RefuseAsync("audit_log", $"NEW.action = 'admin.DestroyTenantDataKey' AND NEW.after ->> 'tenantId' = '{tenantId}'"))
                AssertFailed(await op.Http.PostAsJsonAsync($"/v1/tenants/{tenantId}/data-key/destroy", new { confirm = tenantId }));
            Assert.Null((await op.GetJsonAsync($"/v1/tenants/{tenantId}/data-key"))["destroyedAt"]);
            Assert.Equal("Sealed.", (await admin.GetJsonAsync("/v1/tenant/settings"))["instructions"]!.GetValue<string>());

            Assert.Equal(HttpStatusCode.OK, (await op.Http.PostAsJsonAsync($"/v1/tenants/{tenantId}/data-key/destroy", new { confirm = tenantId })).StatusCode);
            var entries = (await op.GetJsonAsync("/v1/audit?action=admin.DestroyTenantDataKey&limit=500"))["entries"]!.AsArray();
            Assert.Single(entries, e => e!["after"]!["tenantId"]!.GetValue<string>() == tenantId);
        }
    }

    [Fact(DisplayName = "An admin change that fails to store leaves no audit entry: grain state and lexicon rows")]
    public async Task Refused_change_leaves_no_entry()
    {
        var (tenantId, admin) = await NewTenantAsync();
        using (admin)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Kept." })).StatusCode);
            await using (await RefuseAsync("orleans_grain_state", $"NEW.grain_id_extension_string = '{tenantId}'"))
            {
                AssertFailed(await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Never stored." }));
                AssertFailed(await admin.Http.PutAsJsonAsync("/v1/acl/roles/auditors", new { includes = Array.Empty<string>(), labels = new[] { "audit" } }));
            }
            await using (await RefuseAsync("moderation_lexicons", $"NEW.tenant_id = '{tenantId}'"))
            {
                AssertFailed(await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/refused",
                    new { words = new[] { "zqrefused" }, riskLevel = "high", action = "block", label = "custom" }));
            }
            Assert.Equal("Kept.", (await admin.GetJsonAsync("/v1/tenant/settings"))["instructions"]!.GetValue<string>());
            Assert.Equal(1, await EntriesAsync(admin, "admin.UpdateTenantSettings"));
            Assert.Equal(0, await EntriesAsync(admin, "admin.PutRole"));
            Assert.Equal(0, await EntriesAsync(admin, "admin.PutLexicon"));
            Assert.DoesNotContain("Never stored.", (await admin.GetJsonAsync("/v1/audit?limit=500")).ToJsonString());
        }
    }
}
