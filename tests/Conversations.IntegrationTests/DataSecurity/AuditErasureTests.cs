namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>Sealed audit states: bound to their entry, and scrubbed of an erased user like the plain parts of the trail.</summary>
public sealed class AuditErasureTests(DataSecurityFixture fx) : DataSecurityTests
{
    [Fact(DisplayName = "Erasing a user replaces their id and name inside the sealed audit states too, and the states still open")]
    public async Task Erasure_reaches_sealed_states()
    {
        using var admin = await fx.NewAdminAsync("audx");
        var userId = "zqerase" + Guid.NewGuid().ToString("n")[..8];
        var name = "Zqname" + Guid.NewGuid().ToString("n")[..8];
        var created = await admin.Http.PostAsJsonAsync("/v1/users", new { userId, displayName = name, role = "user" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PutAsJsonAsync($"/v1/acl/users/{userId}/roles", new { roles = new[] { "staff" } })).StatusCode);
        var before = (await admin.GetJsonAsync("/v1/audit?limit=500")).ToJsonString();
        Assert.Contains(userId, before);
        Assert.Contains(name, before);
        // At rest the states are sealed: the id is only inside them (and in the plain targets audit_scrub handles).
        Assert.DoesNotContain(name, await StoredAsync("SELECT coalesce(before::text, '') || coalesce(after::text, '') FROM audit_log"));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/users/{userId}")).StatusCode);

        var page = await admin.GetJsonAsync("/v1/audit?limit=500");
        var after = page.ToJsonString();
        Assert.DoesNotContain(userId, after);
        Assert.DoesNotContain(name, after);
        var roles = page["entries"]!.AsArray().First(e => e!["action"]!.GetValue<string>() == "admin.SetUserRoles")!;
        Assert.Equal("staff", roles["after"]!["state"]!["userRoles"]!["(deleted)"]![0]!.GetValue<string>()); // opened, not left sealed
        var user = page["entries"]!.AsArray().First(e => e!["action"]!.GetValue<string>() == "admin.CreateUser")!;
        Assert.Equal("(deleted)", user["after"]!["state"]!["userId"]!.GetValue<string>());
        Assert.Equal("(deleted)", user["after"]!["state"]!["displayName"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A user id of the platform's generated shapes (c_, b_, exp_), or a key's id, is refused, so no user's erasure reaches a conversation, batch, export or a key's audit entries; an erasure deletes only the user's own grain state")]
    public async Task User_ids_never_name_a_conversation()
    {
        using var tenant = await fx.NewTenantAsync("audc");
        var conversation = await tenant.User.CreateConversationAsync();
        Assert.Equal("done", (await tenant.User.SendAsync(conversation, "A question that leaves the conversation's grain state behind."))[^1].Name);
        foreach (var userId in new[] { conversation, "b_0123456789abcdef0123", "exp_abc" })
        {
            var problem = await ApiClient.ProblemAsync(await tenant.Admin.Http.PostAsJsonAsync("/v1/users", new { userId, role = "user" }), HttpStatusCode.BadRequest);
            Assert.Contains("may not start with", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        // Nor the id of one of the tenant's keys: erasing such a user would rewrite the trail's entries about that key.
        var keyId = ApiClient.KeyId(tenant.User.Key);
        var keyProblem = await ApiClient.ProblemAsync(await tenant.Admin.Http.PostAsJsonAsync("/v1/users", new { userId = keyId, role = "user" }), HttpStatusCode.BadRequest);
        Assert.Contains("API keys", keyProblem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // Written into the database as a key would name a user without a users row: the erasure still spares the conversation.
        var tenantId = (await tenant.Admin.GetJsonAsync("/v1/me"))["tenantId"]!.GetValue<string>();
        await fx.Database.ExecuteAsync($"INSERT INTO users (tenant_id, user_id, display_name, role) VALUES ('{tenantId}', '{conversation}', 'x', 'user')");
        async Task<long> ConversationStatesAsync()
        {
            await using var cmd = fx.Database.DataSource.CreateCommand(
                "SELECT count(*) FROM orleans_grain_state WHERE grain_id_extension_string = @k AND grain_type_string = 'conversation'");
            cmd.Parameters.AddWithValue("k", $"{tenantId}/{conversation}");
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        var states = await ConversationStatesAsync();
        Assert.True(states > 0, "the conversation's grain state is stored");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.Http.DeleteAsync($"/v1/users/{conversation}")).StatusCode);
        Assert.Equal(states, await ConversationStatesAsync());
        Assert.Equal(2, (await tenant.User.MessagesAsync(conversation)).Count);
    }

    [Fact(DisplayName = "A sealed audit state copied to another entry of the same action and target does not open there")]
    public async Task Sealed_states_are_bound_to_their_entry()
    {
        using var admin = await fx.NewAdminAsync("audb");
        var marker = "zqbound" + Guid.NewGuid().ToString("n")[..8];
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = marker })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Second." })).StatusCode);
        var entries = (await admin.GetJsonAsync("/v1/audit?action=admin.UpdateTenantSettings"))["entries"]!.AsArray();
        var (second, first) = (entries[0]!["id"]!.GetValue<long>(), entries[1]!["id"]!.GetValue<long>());

        await using (var conn = await fx.Database.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await using var cmd = new NpgsqlCommand("""
                SELECT set_config('conversations.audit_erasure', 'on', true);
                UPDATE audit_log SET after = (SELECT after FROM audit_log WHERE id = @first) WHERE id = @second;
                """, conn, tx);
            cmd.Parameters.AddWithValue("first", first);
            cmd.Parameters.AddWithValue("second", second);
            await cmd.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }

        var moved = (await admin.GetJsonAsync("/v1/audit?action=admin.UpdateTenantSettings"))["entries"]![0]!;
        Assert.Equal(second, moved["id"]!.GetValue<long>());
        Assert.StartsWith("enc1:", moved["after"]!.GetValue<string>());
        Assert.DoesNotContain(marker, moved["after"]!.ToJsonString());
    }

    private async Task<string> StoredAsync(string sql)
    {
        await using var conn = await fx.Database.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"SELECT string_agg(x, ' ') FROM ({sql}) AS t(x)", conn);
        return (await cmd.ExecuteScalarAsync()) as string ?? "";
    }
}
