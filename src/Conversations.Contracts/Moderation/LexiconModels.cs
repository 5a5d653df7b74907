namespace Conversations.Contracts.Moderation;

/// <summary>A tenant's custom word list as the admin defines it.</summary>
/// <param name="Name">Library name (reported as the hit's library).</param>
/// <param name="Words">The words; matched after normalization (case, spacing, full-width and look-alikes do not matter),
/// as whole words in spaced scripts (Latin, Cyrillic, …) and anywhere in Chinese, Japanese, Korean or Thai.</param>
/// <param name="RiskLevel">"low", "medium" or "high".</param>
/// <param name="Action">"block" (refuse / withhold) or "mask" (replace with ***).</param>
/// <param name="Label">Result label; "customized" unless the admin names another.</param>
/// <param name="UpdatedAt">When the lexicon was last written.</param>
/// <param name="SubstringWords">Words that also match inside longer words ("fuck" in "fucking"); null or empty when none.</param>
/// <param name="Scope">Which texts it checks: "both" (the default), "input" (questions only) or "output" (answers only).</param>
[GenerateSerializer, Immutable, Alias("lexicon-definition")]
public sealed record LexiconDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<string> Words,
    [property: Id(2)] string RiskLevel,
    [property: Id(3)] string Action,
    [property: Id(4)] string Label,
    [property: Id(5)] DateTimeOffset UpdatedAt,
    [property: Id(6)] IReadOnlyList<string>? SubstringWords = null,
    [property: Id(7)] string? Scope = null);

/// <summary>All of a tenant's lexicons at one version.</summary>
[GenerateSerializer, Immutable, Alias("tenant-lexicon-list")]
public sealed record TenantLexicons([property: Id(0)] long Version, [property: Id(1)] IReadOnlyList<LexiconDefinition> Lexicons);

/// <summary>
/// Which lexicons a silo's compiled set is of: the tenant's creation time (microseconds since 1970; 0 when unknown) and
/// the version. Versions start again at 1 for a tenant created again under a deleted one's id; the creation time
/// does not repeat, so a stamp orders every state of an id and never names a deleted tenant's lexicons.
/// </summary>
[GenerateSerializer, Immutable, Alias("lexicon-stamp")]
public readonly record struct LexiconStamp([property: Id(0)] long TenantCreated, [property: Id(1)] long Version) : IComparable<LexiconStamp>
{
    /// <inheritdoc />
    public int CompareTo(LexiconStamp other) =>
        TenantCreated != other.TenantCreated ? TenantCreated.CompareTo(other.TenantCreated) : Version.CompareTo(other.Version);
}

/// <summary>A tenant's custom lexicons, key <c>{tenant}</c>, with a version that changes on every edit.</summary>
/// <remarks>Scanning never runs here: silos compile the lexicons once per (tenant, version) and scan on any thread.</remarks>
[Alias("tenant-lexicons")]
public interface ITenantLexiconGrain : IGrainWithStringKey
{
    /// <summary>The current stamp (cheap; silos poll it to know when to recompile).</summary>
    [Orleans.Concurrency.ReadOnly, Alias("stamp")]
    Task<LexiconStamp> GetStampAsync();

    /// <summary>All lexicons with their version.</summary>
    [Orleans.Concurrency.ReadOnly, Alias("get")]
    Task<TenantLexicons> GetAsync();

    /// <summary>Creates or replaces a lexicon (validated: <see cref="ArgumentException"/> says what is wrong); returns the new version.</summary>
    [Alias("put")]
    Task<long> PutAsync(LexiconDefinition lexicon);

    /// <summary>Deletes a lexicon; null when there was none, else the new version.</summary>
    [Alias("delete")]
    Task<long?> DeleteAsync(string name);
}
