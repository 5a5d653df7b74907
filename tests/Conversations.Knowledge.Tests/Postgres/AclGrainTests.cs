using Orleans.Runtime;

namespace Conversations.Knowledge.Tests.Postgres;

public sealed class AclGrainTests(KnowledgeCluster app) : PostgresTests
{
    private async Task<ITenantAclGrain> NewTenantAclAsync()
    {
        var tenant = TestIds.Tenant("acl");
        await app.CreateTenantAsync(tenant);
        return app.Grains.GetGrain<ITenantAclGrain>(tenant);
    }

    [Fact]
    public async Task Every_edit_bumps_the_version_and_a_no_op_does_not()
    {
        var acl = await NewTenantAclAsync();
        var v1 = await acl.PutRoleAsync(new RoleDefinition("staff", [], ["handbook"]));
        var v2 = await acl.GrantAsync("staff", "faq");
        var v3 = await acl.SetUserRolesAsync("alice", ["staff"]);
        var v4 = await acl.RevokeAsync("staff", "faq");
        var again = await acl.RevokeAsync("staff", "faq");
        var unknownRole = await acl.RevokeAsync("nobody", "faq");
        Assert.Equal([1L, 2L, 3L, 4L], [v1, v2, v3, v4!.Value]);
        Assert.Null(again);
        Assert.Null(unknownRole);
        Assert.Equal(4, (await acl.GetAsync()).Version);
    }

    [Fact]
    public async Task Users_inherit_labels_through_the_hierarchy()
    {
        var acl = await NewTenantAclAsync();
        await acl.PutRoleAsync(new RoleDefinition("staff", [], ["handbook", "compensation/staff"]));
        await acl.PutRoleAsync(new RoleDefinition("manager", ["staff"], ["compensation/manager"]));
        await acl.PutRoleAsync(new RoleDefinition("director", ["manager"], ["compensation/director"]));
        await acl.SetUserRolesAsync("carol", ["director"]);
        await acl.SetUserRolesAsync("alice", ["staff"]);
        var carol = await acl.GetUserAccessAsync("carol");
        Assert.Equal(["compensation/director", "compensation/manager", "compensation/staff", "handbook"], carol.Labels);
        Assert.Equal(4, carol.LabelIds.Distinct().Count());
        Assert.Equal(["compensation/staff", "handbook"], (await acl.GetUserAccessAsync("alice")).Labels);
    }

    [Fact]
    public async Task A_cycle_is_an_argument_error_and_changes_nothing()
    {
        var acl = await NewTenantAclAsync();
        await acl.PutRoleAsync(new RoleDefinition("staff", [], []));
        await acl.PutRoleAsync(new RoleDefinition("manager", ["staff"], []));
        var before = await acl.GetAsync();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => acl.PutRoleAsync(new RoleDefinition("staff", ["manager"], [])));
        Assert.Contains("cycle", e.Message);
        Assert.Equal(before.Version, (await acl.GetAsync()).Version);
    }

    [Fact]
    public async Task The_acl_survives_reactivation()
    {
        var acl = await NewTenantAclAsync();
        await acl.PutRoleAsync(new RoleDefinition("staff", [], ["handbook"]));
        await acl.PutRoleAsync(new RoleDefinition("manager", ["staff"], ["pay"]));
        await acl.SetUserRolesAsync("bob", ["manager"]);
        var before = await acl.GetUserAccessAsync("bob");
        // Collect every idle activation, so the next call reads the persisted state.
        await app.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await acl.GetUserAccessAsync("bob");
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.LabelIds, after.LabelIds);
        Assert.Equal(before.AclVersion, after.AclVersion);
    }

    [Fact]
    public async Task Filter_readable_keeps_only_the_users_labels()
    {
        var acl = await NewTenantAclAsync();
        await acl.PutRoleAsync(new RoleDefinition("staff", [], ["a"]));
        await acl.PutRoleAsync(new RoleDefinition("other", [], ["b"]));
        await acl.SetUserRolesAsync("u", ["staff"]);
        var view = await acl.GetUserAccessAsync("u");
        var b = (await acl.GetUserAccessAsync("nobody")).LabelIds;
        Assert.Empty(b);
        var check = await acl.FilterReadableAsync("u", [view.LabelIds[0], (short)(view.LabelIds[0] + 1), 999]);
        Assert.Equal([view.LabelIds[0]], check.ReadableLabelIds);
    }
}
