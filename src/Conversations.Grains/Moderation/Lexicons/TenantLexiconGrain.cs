using Conversations.Contracts.Audit;
using Conversations.Contracts.Moderation;
using Conversations.Storage.Audit;
using Conversations.Storage.Moderation;

namespace Conversations.Grains.Moderation.Lexicons;

/// <summary>
/// One tenant's custom lexicons, loaded from <c>moderation_lexicons</c> on activation. Not reentrant, so edits apply
/// one at a time; reads are [ReadOnly] and interleave. Scanning never happens here (see <see cref="TenantLexiconCache"/>).
/// </summary>
internal sealed class TenantLexiconGrain(LexiconStore store, AuditStore audit, TenantLexiconCache cache, TimeProvider time) : Grain, ITenantLexiconGrain
{
    private string _tenantId = "";
    private TenantLexicons _current = new(0, []);
    private long _tenantCreated;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenantId = this.GetPrimaryKeyString();
        var (version, tenantCreated, rows) = await store.LoadAsync(_tenantId, cancellationToken);
        _tenantCreated = tenantCreated;
        _current = new TenantLexicons(version, rows.Select(ToDefinition).ToList());
    }

    /// <inheritdoc />
    public Task<LexiconStamp> GetStampAsync() => Task.FromResult(new LexiconStamp(_tenantCreated, _current.Version));

    /// <inheritdoc />
    public Task<TenantLexicons> GetAsync() => Task.FromResult(_current);

    /// <inheritdoc />
    public async Task<long> PutAsync(LexiconDefinition lexicon)
    {
        var clean = LexiconRules.Validate(lexicon) with { UpdatedAt = time.GetUtcNow() };
        LexiconRules.CheckTenantBounds(_current.Lexicons, clean);
        var entry = await AuditEntryAsync(_current.Lexicons.FirstOrDefault(l => l.Name == clean.Name), clean);
        var version = await store.UpsertAsync(_tenantId, new LexiconRecord(clean.Name, clean.Words, clean.RiskLevel, clean.Action, clean.Label, clean.UpdatedAt, clean.SubstringWords ?? [], clean.Scope ?? "both"), entry);
        var lexicons = _current.Lexicons.Where(l => l.Name != clean.Name).Append(clean).OrderBy(l => l.Name, StringComparer.Ordinal).ToList();
        Publish(new TenantLexicons(version, lexicons));
        return version;
    }

    /// <inheritdoc />
    public async Task<long?> DeleteAsync(string name)
    {
        var version = await store.DeleteAsync(_tenantId, name, await AuditEntryAsync(_current.Lexicons.FirstOrDefault(l => l.Name == name), null));
        if (version is null) return null;
        Publish(new TenantLexicons(version.Value, _current.Lexicons.Where(l => l.Name != name).ToList()));
        return version;
    }

    // An admin request's edit writes its audit entry in the edit's transaction.
    private async Task<AuditWrite?> AuditEntryAsync(LexiconDefinition? before, LexiconDefinition? after) =>
        AuditedRequest.Current is { } request && request.Covers(_tenantId)
            ? await audit.ChangeEntryAsync(request, _tenantId, AuditJson.Snapshot(before, typeof(LexiconDefinition)), AuditJson.Snapshot(after, typeof(LexiconDefinition)))
            : null;

    // This silo's cache learns of the edit at once; other silos see the new version within the cache's poll interval.
    private void Publish(TenantLexicons next)
    {
        _current = next;
        cache.Invalidate(_tenantId);
    }

    private static LexiconDefinition ToDefinition(LexiconRecord r) => new(r.Name, r.Words, r.RiskLevel, r.Action, r.Label, r.UpdatedAt, r.SubstringWords, r.Scope);
}
