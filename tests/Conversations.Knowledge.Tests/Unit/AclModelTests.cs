using Conversations.Knowledge.Access;

namespace Conversations.Knowledge.Tests.Unit;

public sealed class AclModelTests
{
    private static AclModel Company()
    {
        var m = new AclModel();
        m.PutRole("staff", [], ["handbook", "compensation/staff"]);
        m.PutRole("manager", ["staff"], ["compensation/manager"]);
        m.PutRole("director", ["manager"], ["compensation/director"]);
        m.SetUserRoles("alice", ["staff"]);
        m.SetUserRoles("bob", ["manager"]);
        m.SetUserRoles("carol", ["director"]);
        return m;
    }

    // Names travel in route paths, which lose "." and ".." segments: names that are such segments are refused, names
    // that merely hold dots are not.
    [Theory]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("...", false)]
    [InlineData("v1.2", true)]
    [InlineData(".hidden", true)]
    public void Names_of_dots_alone_are_refused(string name, bool valid)
    {
        Assert.Equal(valid, Record.Exception(() => AclNames.RequireRole(name)) is null);
        Assert.Equal(valid, Record.Exception(() => AclNames.RequireUser(name)) is null);
        Assert.Equal(valid, Record.Exception(() => AclNames.RequireLabel(name)) is null);
        Assert.Equal(valid, Record.Exception(() => AclNames.RequireLabel("hr/" + name)) is null);
    }

    // A JSON body of {"roles": [null]} reaches the model as a null name: the caller's error, worded for them.
    [Fact]
    public void A_null_role_name_is_refused_as_not_valid()
    {
        var m = Company();
        var error = Assert.Throws<ArgumentException>(() => m.SetUserRoles("alice", [null!]));
        Assert.Contains("Role name", error.Message, StringComparison.Ordinal);
        Assert.Contains("staff", m.Closure("staff"));
    }

    [Fact]
    public void Higher_positions_read_their_subordinates_plans_but_not_the_reverse()
    {
        var m = Company();
        Assert.Equal(["compensation/staff", "handbook"], m.LabelsFor("alice").Order());
        Assert.Equal(["compensation/manager", "compensation/staff", "handbook"], m.LabelsFor("bob").Order());
        Assert.Contains("compensation/director", m.LabelsFor("carol"));
        Assert.DoesNotContain("compensation/manager", m.LabelsFor("alice"));
        Assert.Empty(m.LabelsFor("nobody"));
    }

    [Fact]
    public void A_cycle_is_rejected_with_its_path_and_leaves_the_model_unchanged()
    {
        var m = Company();
        var e = Assert.Throws<ArgumentException>(() => m.PutRole("staff", ["director"], ["handbook"]));
        Assert.Contains("cycle", e.Message);
        Assert.Contains("staff ⊇ director ⊇ manager ⊇ staff", e.Message);
        Assert.Empty(m.IncludesOf("staff"));
        Assert.Throws<ArgumentException>(() => m.PutRole("staff", ["staff"], []));
    }

    [Fact]
    public void Revoking_from_an_included_role_is_visible_to_every_role_above_it()
    {
        var m = Company();
        Assert.Contains("compensation/staff", m.LabelsFor("carol"));
        Assert.True(m.Revoke("staff", "compensation/staff"));
        Assert.DoesNotContain("compensation/staff", m.LabelsFor("carol"));
        Assert.False(m.Revoke("staff", "compensation/staff"));
    }

    [Fact]
    public void Unknown_roles_and_bad_names_are_rejected()
    {
        var m = Company();
        Assert.Throws<ArgumentException>(() => m.PutRole("intern", ["ghost"], []));
        Assert.Throws<ArgumentException>(() => m.SetUserRoles("dave", ["ghost"]));
        Assert.Throws<ArgumentException>(() => m.Grant("ghost", "x"));
        Assert.Throws<ArgumentException>(() => m.PutRole("bad role", [], []));
        Assert.Throws<ArgumentException>(() => m.Grant("staff", "bad label!"));
    }

    [Fact]
    public void A_role_still_included_cannot_be_deleted_and_deleting_a_role_unassigns_it()
    {
        var m = Company();
        Assert.Throws<ArgumentException>(() => m.DeleteRole("staff"));
        Assert.True(m.DeleteRole("director"));
        Assert.Empty(m.LabelsFor("carol"));
        Assert.DoesNotContain("carol", m.Users);
    }

    [Fact]
    public void Closure_follows_diamonds_once()
    {
        var m = new AclModel();
        m.PutRole("a", [], ["la"]);
        m.PutRole("b", ["a"], ["lb"]);
        m.PutRole("c", ["a"], ["lc"]);
        m.PutRole("d", ["b", "c"], []);
        m.SetUserRoles("u", ["d"]);
        Assert.Equal(["a", "b", "c", "d"], m.Closure("d").Order());
        Assert.Equal(["la", "lb", "lc"], m.LabelsFor("u").Order());
    }
}
