using Conversations.Contracts.Knowledge;
using Conversations.Contracts.Tenancy;
using Conversations.Prompting.History;
using Conversations.Prompting.Layout;
using Conversations.Prompting.Memory;
using Conversations.Prompting.Tokens;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat;

/// <summary>
/// What a conversation's prompts are built from besides its log: the user's memory as of the last prefix change
/// (reloaded when the summary folds, so the prefix stays byte-stable, and before a turn whenever the user made the
/// platform forget something, i.e. the epoch moved), and one prompt builder per tenant settings version (it caches the
/// stable prefix's token count across turns).
/// </summary>
internal sealed class ConversationPrompt(ITokenCounter tokens, ChatOptions options)
{
    private IReadOnlyList<MemoryFact>? _memory;
    private PromptBuilder? _builder;
    private int _builderVersion;

    /// <summary>The memory epoch the loaded facts belong to.</summary>
    public long MemoryEpoch { get; private set; }

    /// <summary>True when the prompt carries memory facts (they are private to the asker).</summary>
    public bool HasMemory => _memory is { Count: > 0 };

    /// <summary>Loads the memory when none is loaded or <paramref name="epoch"/> moved past the loaded one.</summary>
    public async Task RefreshMemoryAsync(IUserGrain user, Task<long> epoch)
    {
        if (_memory is null || await epoch != MemoryEpoch) await ReloadMemoryAsync(user);
    }

    /// <summary>Loads the memory; the epoch is read first, so a deletion between the two reads only costs one more reload on the next turn.</summary>
    public async Task ReloadMemoryAsync(IUserGrain user)
    {
        MemoryEpoch = await user.GetMemoryEpochAsync();
        _memory = (await user.GetMemoryAsync()).Select(f => new MemoryFact(f.Id, f.Slot, f.Text, f.Sequence, f.TokenCount)).ToList();
    }

    /// <summary>Stage 5: the prompt, stable prefix first.</summary>
    public BuiltPrompt Build(TenantSettings settings, string summary, IReadOnlyList<ConversationTurn> recentTurns, MessageRecord question, RetrievalResult retrieval,
        int questionImages = 0)
    {
        if (_builder is null || _builderVersion != settings.Version)
            (_builder, _builderVersion) = (new PromptBuilder(tokens, ChatBudgets.For(settings)), settings.Version);
        return _builder.Build(Request(options, settings, ConversationLog.ToTurnMessage(question) with { ImageCount = questionImages }) with
        {
            MemoryFacts = _memory ?? [],
            ConversationSummary = summary,
            RecentTurns = recentTurns,
            Chunks = retrieval.Chunks.Select(c => new RetrievedChunk(ChunkId(c), c.Text, c.Title)).ToList(),
        });
    }

    /// <summary>
    /// A prompt for one question outside any conversation (an offline batch item): the same system message a chat turn
    /// starts with (the platform's prompt, the organisation, its instructions and answer style), then the question; no
    /// memory, summary, history or sources.
    /// </summary>
    public static BuiltPrompt BuildStandalone(ITokenCounter tokens, ChatOptions options, TenantSettings settings, string question) =>
        new PromptBuilder(tokens, ChatBudgets.For(settings)).Build(Request(options, settings, ChatTurnMessage.Create(tokens, ChatRoles.User, question)));

    // The parts of a prompt that come from the platform and the tenant, the same for every front door.
    private static PromptRequest Request(ChatOptions options, TenantSettings settings, ChatTurnMessage question) => new()
    {
        SystemPrompt = settings.Name.Length > 0 ? $"{options.SystemPrompt}\n\nOrganisation: {settings.Name}" : options.SystemPrompt,
        TenantInstructions = settings.Instructions,
        ConciseAnswerInstruction = settings.ConciseInstruction,
        Question = question,
    };

    /// <summary>How a prompt names a retrieved chunk (and how citations find it).</summary>
    public static string ChunkId(KnowledgeChunk c) => $"{c.DocumentId}#{c.ChunkIndex}";
}
