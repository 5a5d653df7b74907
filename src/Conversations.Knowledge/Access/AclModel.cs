namespace Conversations.Knowledge.Access;

/// <summary>
/// A tenant's access rules: roles, which roles a role includes (a manager includes staff), users' roles, and the labels
/// granted to each role. A user may read a label when any role they hold, or any role those include, is granted it.
/// Edits validate their input and keep the hierarchy acyclic; answers are cached until the next edit.
/// Not thread-safe: its owner (one grain activation) serializes calls.
/// </summary>
public sealed class AclModel
{
    /// <summary>Most roles a tenant may define.</summary>
    public const int MaxRoles = 1_000;
    /// <summary>Most labels granted to one role.</summary>
    public const int MaxGrantsPerRole = 1_000;
    /// <summary>Most roles assigned to one user.</summary>
    public const int MaxRolesPerUser = 100;

    private readonly Dictionary<string, HashSet<string>> _includes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _grants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _userRoles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlySet<string>> _roleClosure = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlySet<string>> _userLabels = new(StringComparer.Ordinal);

    /// <summary>The defined roles.</summary>
    public IEnumerable<string> Roles => _includes.Keys;

    /// <summary>Users with at least one role.</summary>
    public IEnumerable<string> Users => _userRoles.Keys;

    /// <summary>Roles <paramref name="role"/> includes directly.</summary>
    public IReadOnlySet<string> IncludesOf(string role) => _includes.TryGetValue(role, out var s) ? s : Empty;

    /// <summary>Labels granted to <paramref name="role"/> directly.</summary>
    public IReadOnlySet<string> GrantsOf(string role) => _grants.TryGetValue(role, out var s) ? s : Empty;

    /// <summary>Roles assigned to <paramref name="userId"/> directly.</summary>
    public IReadOnlySet<string> RolesOf(string userId) => _userRoles.TryGetValue(userId, out var s) ? s : Empty;

    /// <summary>
    /// Defines or replaces a role: the roles it includes (each must exist) and its granted labels.
    /// Throws <see cref="ArgumentException"/> when an included role is unknown or the hierarchy would get a cycle.
    /// </summary>
    public void PutRole(string role, IEnumerable<string> includes, IEnumerable<string> labels)
    {
        AclNames.RequireRole(role);
        var inc = includes.Select(r => AclNames.RequireRole(r)).ToHashSet(StringComparer.Ordinal);
        var lab = labels.Select(l => AclNames.RequireLabel(l)).ToHashSet(StringComparer.Ordinal);
        if (!_includes.ContainsKey(role) && _includes.Count >= MaxRoles)
            throw new ArgumentException($"A tenant may define at most {MaxRoles} roles.");
        if (lab.Count > MaxGrantsPerRole) throw new ArgumentException($"A role may be granted at most {MaxGrantsPerRole} labels.");
        foreach (var r in inc)
        {
            if (r == role) throw new ArgumentException($"Role '{role}' cannot include itself.");
            if (!_includes.ContainsKey(r)) throw new ArgumentException($"Role '{role}' includes '{r}', which is not defined. Define '{r}' first.");
            if (PathBetween(r, role) is { } path)
                throw new ArgumentException(
                    $"Role '{role}' cannot include '{r}': that would make a cycle ({string.Join(" ⊇ ", path.Prepend(role))}). Role hierarchies must not loop.");
        }
        _includes[role] = inc;
        _grants[role] = lab;
        Changed();
    }

    /// <summary>Deletes a role; false when it did not exist. Throws when another role still includes it.</summary>
    public bool DeleteRole(string role)
    {
        if (!_includes.ContainsKey(role)) return false;
        var parents = _includes.Where(kv => kv.Value.Contains(role)).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        if (parents.Count > 0)
            throw new ArgumentException($"Role '{role}' is included by {string.Join(", ", parents.Select(p => $"'{p}'"))}; remove it from them first.");
        _includes.Remove(role);
        _grants.Remove(role);
        foreach (var roles in _userRoles.Values) roles.Remove(role);
        foreach (var empty in _userRoles.Where(kv => kv.Value.Count == 0).Select(kv => kv.Key).ToList()) _userRoles.Remove(empty);
        Changed();
        return true;
    }

    /// <summary>Grants a label to a role; false when it already had it.</summary>
    public bool Grant(string role, string label)
    {
        var grants = RequireDefined(role);
        AclNames.RequireLabel(label);
        if (grants.Count >= MaxGrantsPerRole) throw new ArgumentException($"A role may be granted at most {MaxGrantsPerRole} labels.");
        if (!grants.Add(label)) return false;
        Changed();
        return true;
    }

    /// <summary>Revokes a label from a role; false when it did not have it.</summary>
    public bool Revoke(string role, string label)
    {
        if (!_grants.TryGetValue(role, out var grants) || !grants.Remove(label)) return false;
        Changed();
        return true;
    }

    /// <summary>Replaces a user's roles (each must exist); an empty set removes the user from the ACL.</summary>
    public void SetUserRoles(string userId, IEnumerable<string> roles)
    {
        AclNames.RequireUser(userId);
        var set = roles.Select(r => AclNames.RequireRole(r)).ToHashSet(StringComparer.Ordinal);
        if (set.Count > MaxRolesPerUser) throw new ArgumentException($"A user may hold at most {MaxRolesPerUser} roles.");
        foreach (var r in set) RequireDefined(r);
        if (set.Count == 0) _userRoles.Remove(userId);
        else _userRoles[userId] = set;
        Changed();
    }

    /// <summary>Every role <paramref name="role"/> stands for: itself and all it includes, transitively.</summary>
    public IReadOnlySet<string> Closure(string role)
    {
        if (_roleClosure.TryGetValue(role, out var cached)) return cached;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        if (_includes.ContainsKey(role)) stack.Push(role);
        while (stack.Count > 0)
        {
            var r = stack.Pop();
            if (!seen.Add(r)) continue;
            foreach (var inc in IncludesOf(r)) stack.Push(inc);
        }
        _roleClosure[role] = seen;
        return seen;
    }

    /// <summary>The labels <paramref name="userId"/> may read (cached until the next edit).</summary>
    public IReadOnlySet<string> LabelsFor(string userId)
    {
        if (_userLabels.TryGetValue(userId, out var cached)) return cached;
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in RolesOf(userId))
            foreach (var r in Closure(role))
                labels.UnionWith(GrantsOf(r));
        _userLabels[userId] = labels;
        return labels;
    }

    /// <summary>A path <paramref name="from"/> ⊇ … ⊇ <paramref name="to"/> through the include edges, or null.</summary>
    private List<string>? PathBetween(string from, string to)
    {
        var parent = new Dictionary<string, string?>(StringComparer.Ordinal) { [from] = null };
        var queue = new Queue<string>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            var r = queue.Dequeue();
            if (r == to)
            {
                var path = new List<string>();
                for (string? p = r; p is not null; p = parent[p]) path.Insert(0, p);
                return path;
            }
            foreach (var inc in IncludesOf(r))
                if (parent.TryAdd(inc, r)) queue.Enqueue(inc);
        }
        return null;
    }

    private HashSet<string> RequireDefined(string role) =>
        _grants.TryGetValue(role, out var grants) ? grants : throw new ArgumentException($"Role '{role}' is not defined.");

    private void Changed()
    {
        _roleClosure.Clear();
        _userLabels.Clear();
    }

    private static readonly IReadOnlySet<string> Empty = new HashSet<string>();
}
