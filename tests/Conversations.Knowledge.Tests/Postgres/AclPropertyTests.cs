namespace Conversations.Knowledge.Tests.Postgres;

/// <summary>
/// Random tenants, role hierarchies, grants, users and documents, checked against a plain in-memory oracle: a retrieval
/// never returns a chunk the user may not read, never another tenant's, and is full (top-K or every allowed chunk).
/// </summary>
public sealed class AclPropertyTests(KnowledgeCluster app) : PostgresTests
{
    private static readonly string[] Words =
    [
        "salary", "bonus", "leave", "travel", "expense", "laptop", "office", "pension", "review", "training", "holiday",
        "contract", "badge", "parking", "insurance", "meal", "remote", "overtime", "promotion", "budget", "policy",
        "security", "password", "printer", "meeting", "project", "client", "invoice", "shares", "car",
    ];
    private static readonly string[] Labels = ["l0", "l1", "l2", "l3", "l4", "l5"];

    /// <summary>The model the grain must agree with: roles include roles, roles grant labels, users hold roles.</summary>
    private sealed class Oracle
    {
        public Dictionary<string, HashSet<string>> Includes { get; } = [];
        public Dictionary<string, HashSet<string>> Grants { get; } = [];
        public Dictionary<string, HashSet<string>> UserRoles { get; } = [];
        public Dictionary<string, string> DocLabels { get; } = [];

        public HashSet<string> Readable(string user)
        {
            var roles = new HashSet<string>();
            var todo = new Stack<string>(UserRoles.GetValueOrDefault(user) ?? []);
            while (todo.Count > 0)
                if (roles.Add(todo.Peek())) foreach (var r in Includes[todo.Pop()]) todo.Push(r);
                else todo.Pop();
            return roles.SelectMany(r => Grants[r]).ToHashSet();
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(37)]
    public async Task Retrieval_matches_the_oracle_under_random_acls_and_edits(int seed)
    {
        var rng = new Random(seed);
        var retriever = app.Services.GetRequiredService<IKnowledgeRetriever>();
        var tenants = new List<(string Id, string Marker, Oracle Oracle, ITenantAclGrain Acl)>();
        for (var t = 0; t < 2; t++)
        {
            var id = TestIds.Tenant($"prop{seed}");
            await app.CreateTenantAsync(id);
            var oracle = new Oracle();
            var acl = app.Grains.GetGrain<ITenantAclGrain>(id);
            for (var r = 0; r < 5; r++)
            {
                // Including only lower-numbered roles keeps the random hierarchy acyclic.
                var includes = Enumerable.Range(0, r).Where(_ => rng.NextDouble() < 0.35).Select(i => $"r{i}").ToHashSet();
                var grants = Labels.Where(_ => rng.NextDouble() < 0.3).ToHashSet();
                oracle.Includes[$"r{r}"] = includes;
                oracle.Grants[$"r{r}"] = grants;
                await acl.PutRoleAsync(new RoleDefinition($"r{r}", [.. includes], [.. grants]));
            }
            for (var u = 0; u < 6; u++)
            {
                var roles = Enumerable.Range(0, 5).Where(_ => rng.NextDouble() < 0.3).Select(i => $"r{i}").ToHashSet();
                oracle.UserRoles[$"u{u}"] = roles;
                await acl.SetUserRolesAsync($"u{u}", [.. roles]);
            }
            // The same document ids and label names in every tenant: only the tenant keeps them apart.
            var marker = $"zq{t}marker";
            var docs = Enumerable.Range(0, 12).Select(d =>
            {
                var label = Labels[rng.Next(Labels.Length)];
                oracle.DocLabels[$"d{d}"] = label;
                var text = $"{marker} " + string.Join(" ", Enumerable.Range(0, 8).Select(_ => Words[rng.Next(Words.Length)])) + ".";
                return new DocumentUpload($"d{d}", $"Document {d}", label, text);
            }).ToList();
            await foreach (var _ in app.Grains.GetGrain<IKnowledgeBaseGrain>(id).IngestAsync(docs)) { }
            tenants.Add((id, marker, oracle, acl));
        }

        for (var round = 0; round < 5; round++)
        {
            foreach (var (id, marker, oracle, _) in tenants)
                foreach (var user in oracle.UserRoles.Keys)
                {
                    var readable = oracle.Readable(user);
                    var allowedChunks = oracle.DocLabels.Count(d => readable.Contains(d.Value));
                    var topK = rng.Next(2) == 0 ? 3 : 20;
                    var question = string.Join(" ", Enumerable.Range(0, 3).Select(_ => Words[rng.Next(Words.Length)]));
                    var result = await retriever.RetrieveAsync(id, user, question, topK);
                    foreach (var c in result.Chunks)
                    {
                        Assert.Contains(marker, c.Text); // never another tenant's chunk
                        Assert.Contains(oracle.DocLabels[c.DocumentId], readable); // never a label the user may not read
                        Assert.Equal(oracle.DocLabels[c.DocumentId], c.Label);
                    }
                    Assert.Equal(Math.Min(topK, allowedChunks), result.Chunks.Count); // top-K stays full under the filter
                }

            // Random edits, applied to the grain and the oracle alike.
            foreach (var (_, _, oracle, acl) in tenants)
                for (var e = 0; e < 3; e++)
                {
                    var role = $"r{rng.Next(5)}";
                    var label = Labels[rng.Next(Labels.Length)];
                    switch (rng.Next(3))
                    {
                        case 0:
                            oracle.Grants[role].Remove(label);
                            await acl.RevokeAsync(role, label);
                            break;
                        case 1:
                            oracle.Grants[role].Add(label);
                            await acl.GrantAsync(role, label);
                            break;
                        default:
                            var user = $"u{rng.Next(6)}";
                            var roles = Enumerable.Range(0, 5).Where(_ => rng.NextDouble() < 0.3).Select(i => $"r{i}").ToHashSet();
                            oracle.UserRoles[user] = roles;
                            await acl.SetUserRolesAsync(user, [.. roles]);
                            break;
                    }
                }
        }
    }
}
