using System.Text.Json.Serialization;

namespace Conversations.Contracts.Tenancy;

/// <summary>A tenant's settings: the assistant's voice and the prompt budgets. Defaults are the platform's.</summary>
[GenerateSerializer, Immutable, Alias("tenant-settings")]
public sealed record TenantSettings
{
    /// <summary>Default context budget in tokens (prompt plus reserved output).</summary>
    public const int DefaultContextBudgetTokens = 4000;
    /// <summary>Default size of the unsummarized window at which old turns are folded into the summary.</summary>
    public const int DefaultSummaryThresholdTokens = 1000;
    /// <summary>Default cap on answer length.</summary>
    public const int DefaultMaxOutputTokens = 512;

    /// <summary>Shown name of the tenant.</summary>
    [Id(0)] public string Name { get; init; } = "";
    /// <summary>The tenant's instructions to the assistant, placed after the platform's system prompt.</summary>
    [Id(1)] public string Instructions { get; init; } = "";
    /// <summary>Prompt plus output must fit this many tokens.</summary>
    [Id(2)] public int ContextBudgetTokens { get; init; } = DefaultContextBudgetTokens;
    /// <summary>Fold old turns into the summary once the recent window passes this many tokens.</summary>
    [Id(3)] public int SummaryThresholdTokens { get; init; } = DefaultSummaryThresholdTokens;
    /// <summary>Longest answer the model may write.</summary>
    [Id(4)] public int MaxOutputTokens { get; init; } = DefaultMaxOutputTokens;
    /// <summary>Instruction asking for concise answers (fewer output tokens); empty turns it off.</summary>
    [Id(5)] public string ConciseInstruction { get; init; } = "Answer concisely: lead with the answer, skip filler, and use short lists only when they help.";
    /// <summary>Settings version, bumped on every change.</summary>
    [Id(6)] public int Version { get; init; }
    /// <summary>Questions the chat offers a user before the first one (none unless the tenant sets them).</summary>
    [Id(7)] public IReadOnlyList<string> StarterQuestions { get; init; } = [];
}

/// <summary>A partial update of <see cref="TenantSettings"/>; null fields are left as they are.</summary>
[GenerateSerializer, Immutable, Alias("tenant-settings-patch")]
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TenantSettingsPatch
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Instructions { get; init; }
    [Id(2)] public int? ContextBudgetTokens { get; init; }
    [Id(3)] public int? SummaryThresholdTokens { get; init; }
    [Id(4)] public int? MaxOutputTokens { get; init; }
    [Id(5)] public string? ConciseInstruction { get; init; }
    [Id(6)] public IReadOnlyList<string>? StarterQuestions { get; init; }
}

/// <summary>One tenant, key <c>{tenant}</c>: settings every turn of the tenant reads.</summary>
[Alias("tenant")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>The current settings (defaults when never changed).</summary>
    [Alias("get-settings")]
    Task<TenantSettings> GetSettingsAsync();

    /// <summary>Applies a validated patch and returns the new settings.</summary>
    [Alias("update-settings")]
    Task<TenantSettings> UpdateSettingsAsync(TenantSettingsPatch patch);
}
