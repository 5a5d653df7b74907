using System.Collections.Concurrent;
using Conversations.Contracts.Moderation;
using Conversations.Moderation.Lexicons;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Moderation.Lexicons;

/// <summary>
/// Per silo: each tenant's lexicons compiled with the platform's into one automaton, keyed by (tenant, stamp).
/// A scan needs no actor and no lock, so one big tenant's traffic runs on every core. The version is asked of the
/// tenant's lexicon grain at most once per <see cref="ModerationOptions.LexiconVersionCacheTime"/>; a new version is
/// compiled once, on the thread pool, while concurrent callers share that compile.
/// </summary>
internal sealed partial class TenantLexiconCache(
    IGrainFactory grains, TimeProvider time, IOptions<ModerationOptions> options, ILogger<TenantLexiconCache> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Number of tenants with a compiled set on this silo.</summary>
    public int Count => _entries.Count;

    /// <summary>The tenant's compiled lexicons at its current version.</summary>
    public async ValueTask<CompiledLexiconSet> GetAsync(string tenantId)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(tenantId, out var entry) && now < entry.CheckAfter && entry.Compiled.IsCompletedSuccessfully)
            return entry.Compiled.Result;

        var stamp = await grains.GetGrain<ITenantLexiconGrain>(tenantId).GetStampAsync();
        var checkAfter = now + options.Value.LexiconVersionCacheTime;
        if (entry is not null && entry.Stamp == stamp)
        {
            entry.CheckAfter = checkAfter;
            return await entry.Compiled;
        }
        var fresh = new Entry(stamp, checkAfter, stamp.Version == 0 ? Task.FromResult(CompiledLexiconSet.Platform) : CompileAsync(tenantId));
        // Keep the newest if another caller raced us to a later one. A tenant created again under a deleted one's id
        // counts its versions from 1 again, but its stamp is later than any of the deleted one's.
        entry = _entries.AddOrUpdate(tenantId, fresh, (_, old) => old.Stamp.CompareTo(stamp) > 0 ? old : fresh);
        try
        {
            return await entry.Compiled;
        }
        catch
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(tenantId, entry));
            throw;
        }
    }

    /// <summary>The last compiled set of the tenant on this silo, without asking for the version (null when none yet).</summary>
    public CompiledLexiconSet? Current(string tenantId) =>
        _entries.TryGetValue(tenantId, out var e) && e.Compiled.IsCompletedSuccessfully ? e.Compiled.Result : null;

    /// <summary>Forgets a tenant's set, so the next scan asks for the version (called after an edit on this silo).</summary>
    public void Invalidate(string tenantId) => _entries.TryRemove(tenantId, out _);

    private Task<CompiledLexiconSet> CompileAsync(string tenantId) => Task.Run(async () =>
    {
        var lexicons = await grains.GetGrain<ITenantLexiconGrain>(tenantId).GetAsync();
        var started = time.GetTimestamp();
        var set = CompiledLexiconSet.CompileWithPlatform(lexicons.Lexicons.Select(LexiconRules.ToEngine), $"{tenantId}@{lexicons.Version}");
        LogCompiled(logger, tenantId, lexicons.Version, set.PatternCount, time.GetElapsedTime(started).TotalMilliseconds);
        return set;
    });

    private sealed class Entry(LexiconStamp stamp, DateTimeOffset checkAfter, Task<CompiledLexiconSet> compiled)
    {
        public LexiconStamp Stamp { get; } = stamp;
        public DateTimeOffset CheckAfter { get; set; } = checkAfter;
        public Task<CompiledLexiconSet> Compiled { get; } = compiled;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Compiled lexicons of {TenantId} version {Version}: {Patterns} patterns in {Milliseconds:F1} ms")]
    private static partial void LogCompiled(ILogger logger, string tenantId, long version, int patterns, double milliseconds);
}
