using Conversations.Contracts.Knowledge;
using Conversations.Knowledge.Access;
using Conversations.Storage.Knowledge;

namespace Conversations.Grains.Knowledge;

/// <summary>
/// One tenant's ACL. Not reentrant, so edits apply one at a time; the read-only methods (every retrieval calls two of
/// them) are [ReadOnly] on the interface and interleave with each other.
/// Answers come from <see cref="AclModel"/>'s cached role closure, rebuilt only after an edit.
/// </summary>
internal sealed class TenantAclGrain(
    [PersistentState("tenant-acl", "store")] IPersistentState<TenantAclState> state,
    KnowledgeStore store) : Grain, ITenantAclGrain
{
    private AclModel _model = new();
    private readonly Dictionary<string, UserAccess> _access = new(StringComparer.Ordinal);
    private string _tenantId = "";

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenantId = this.GetPrimaryKeyString();
        _model = Load(state.State);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<AclView> GetAsync() => Task.FromResult(new AclView(
        state.State.Version,
        _model.Roles.Order(StringComparer.Ordinal)
            .Select(r => new RoleDefinition(r, Sorted(_model.IncludesOf(r)), Sorted(_model.GrantsOf(r)))).ToList(),
        _model.Users.Order(StringComparer.Ordinal).Select(u => new UserRoles(u, Sorted(_model.RolesOf(u)))).ToList()));

    /// <inheritdoc />
    public Task<long> PutRoleAsync(RoleDefinition role) => EditAsync(m =>
    {
        m.PutRole(role.Name, role.Includes ?? [], role.Labels ?? []);
        return true;
    }, role.Labels ?? []);

    /// <inheritdoc />
    public async Task<long?> DeleteRoleAsync(string role)
    {
        var existed = false;
        var version = await EditAsync(m => existed = m.DeleteRole(role), []);
        return existed ? version : null;
    }

    /// <inheritdoc />
    public Task<long> GrantAsync(string role, string label) => EditAsync(m => m.Grant(role, label), [label]);

    /// <inheritdoc />
    public async Task<long?> RevokeAsync(string role, string label)
    {
        var revoked = false;
        var version = await EditAsync(m => revoked = m.Revoke(role, label), []);
        return revoked ? version : null;
    }

    /// <inheritdoc />
    public Task<long> SetUserRolesAsync(string userId, IReadOnlyList<string> roles) => EditAsync(m =>
    {
        m.SetUserRoles(userId, roles ?? []);
        return true;
    }, []);

    /// <inheritdoc />
    public Task<UserAccess> GetUserAccessAsync(string userId)
    {
        if (_access.TryGetValue(userId, out var cached)) return Task.FromResult(cached);
        var labels = _model.LabelsFor(userId).Where(state.State.LabelIds.ContainsKey).Order(StringComparer.Ordinal).ToList();
        var access = new UserAccess(state.State.Version, labels, labels.Select(l => state.State.LabelIds[l]).ToList());
        _access[userId] = access;
        return Task.FromResult(access);
    }

    /// <inheritdoc />
    public async Task<AccessCheck> FilterReadableAsync(string userId, IReadOnlyList<short> labelIds)
    {
        var access = await GetUserAccessAsync(userId);
        var readable = labelIds.Where(access.LabelIds.Contains).Distinct().ToList();
        return new AccessCheck(access.AclVersion, readable);
    }

    // Applies an edit to a copy of the model, makes sure every label it grants has an id, then persists the new version.
    // A failed edit (bad input, or a failed write) leaves the grain exactly as it was.
    private async Task<long> EditAsync(Func<AclModel, bool> edit, IReadOnlyList<string> grantedLabels)
    {
        var next = Load(state.State);
        if (!edit(next)) return state.State.Version;
        var labelIds = new Dictionary<string, short>(state.State.LabelIds, StringComparer.Ordinal);
        foreach (var label in grantedLabels.Distinct(StringComparer.Ordinal))
            if (!labelIds.ContainsKey(label))
                labelIds[label] = await store.EnsureLabelAsync(_tenantId, label);

        var previous = state.State;
        state.State = Save(next, labelIds, previous.Version + 1);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
        _model = next;
        _access.Clear();
        return state.State.Version;
    }

    private static AclModel Load(TenantAclState s)
    {
        var model = new AclModel();
        // Roles must be defined after the roles they include: depth-first over the include edges.
        var done = new HashSet<string>(StringComparer.Ordinal);
        void Define(string role)
        {
            if (!done.Add(role)) return;
            var includes = s.RoleIncludes.GetValueOrDefault(role) ?? [];
            foreach (var inc in includes) Define(inc);
            model.PutRole(role, includes, s.RoleLabels.GetValueOrDefault(role) ?? []);
        }
        foreach (var role in s.RoleIncludes.Keys.Order(StringComparer.Ordinal)) Define(role);
        foreach (var (user, roles) in s.UserRoles) model.SetUserRoles(user, roles);
        return model;
    }

    private static TenantAclState Save(AclModel m, Dictionary<string, short> labelIds, long version) => new()
    {
        Version = version,
        RoleIncludes = m.Roles.ToDictionary(r => r, r => Sorted(m.IncludesOf(r)), StringComparer.Ordinal),
        RoleLabels = m.Roles.ToDictionary(r => r, r => Sorted(m.GrantsOf(r)), StringComparer.Ordinal),
        UserRoles = m.Users.ToDictionary(u => u, u => Sorted(m.RolesOf(u)), StringComparer.Ordinal),
        LabelIds = labelIds,
    };

    private static List<string> Sorted(IEnumerable<string> items) => items.Order(StringComparer.Ordinal).ToList();
}
