using Conversations.Knowledge.Chunking;
using Conversations.Knowledge.Search;

namespace Conversations.Grains.Knowledge;

/// <summary>Configuration section <c>Knowledge</c>: chunk sizes, hybrid search and the plan thresholds.</summary>
internal sealed class KnowledgeOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Knowledge";
    /// <summary>Largest top-K a caller may ask for.</summary>
    public const int MaxTopK = 50;

    /// <summary>
    /// Most chunks one tenant's knowledge base may hold (the database is shared); an upload that would pass it stores
    /// nothing and is a 409. 0 for no limit. A million chunks is about 3 GB with their vectors and index.
    /// </summary>
    public long MaxChunksPerTenant { get; set; } = 1_000_000;

    /// <summary>Fuse full-text rank with vector rank (reciprocal rank fusion); on by default.</summary>
    public bool HybridSearch { get; set; } = true;
    /// <summary>Chunk size in tokens.</summary>
    public int ChunkMaxTokens { get; set; } = ChunkerOptions.DefaultMaxTokens;
    /// <summary>Chunk overlap in tokens.</summary>
    public int ChunkOverlapTokens { get; set; } = ChunkerOptions.DefaultOverlapTokens;
    /// <summary>Allowed rows up to which an exact scan is used.</summary>
    public long ExactScanMaxRows { get; set; } = RetrievalPlannerOptions.DefaultExactScanMaxRows;
    /// <summary>Allowed share below which an exact scan is used.</summary>
    public double ExactScanMaxShare { get; set; } = RetrievalPlannerOptions.DefaultExactScanMaxShare;
    /// <summary>ef_search when everything is allowed.</summary>
    public int BaseEfSearch { get; set; } = RetrievalPlannerOptions.DefaultBaseEfSearch;
    /// <summary>How long per-label chunk counts (plan choice only) are reused; uploads on this silo refresh them at once.</summary>
    public TimeSpan LabelCountsTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Re-embed, in the background, chunks another embedding model made (after <c>Models:Embeddings</c> changed); on by default.</summary>
    public bool ReembedEnabled { get; set; } = true;
    /// <summary>Chunks re-embedded and written per batch (one grain call, one transaction).</summary>
    public int ReembedBatchChunks { get; set; } = 64;
    /// <summary>Wait between batches, to leave the embedding model (the local one shares the silo's CPU) to live traffic.</summary>
    public TimeSpan ReembedPause { get; set; } = TimeSpan.Zero;
    /// <summary>How often a silo looks again for tenants with chunks of another model once none were left.</summary>
    public TimeSpan ReembedScanInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The chunker settings.</summary>
    public ChunkerOptions Chunker => new() { MaxTokens = ChunkMaxTokens, OverlapTokens = ChunkOverlapTokens };

    /// <summary>The planner settings.</summary>
    public RetrievalPlannerOptions Planner => new() { ExactScanMaxRows = ExactScanMaxRows, ExactScanMaxShare = ExactScanMaxShare, BaseEfSearch = BaseEfSearch };
}
