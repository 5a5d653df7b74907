using System.Text.Json;

namespace Conversations.Moderation.Green;

/// <summary>A customized-library hit in a text result.</summary>
internal sealed class GreenCustomizedHit
{
    /// <summary>Library name.</summary>
    public string? LibName { get; init; }

    /// <summary>Matched words, comma-separated.</summary>
    public string? KeyWords { get; init; }
}

/// <summary>One label of a text or image result.</summary>
internal sealed class GreenLabelResult
{
    /// <summary>Label, e.g. "customized", "political_content", "nonLabel".</summary>
    public string? Label { get; init; }

    /// <summary>0–100.</summary>
    public double? Confidence { get; init; }

    /// <summary>Risky words found (text).</summary>
    public string? RiskWords { get; init; }

    /// <summary>Human-readable description.</summary>
    public string? Description { get; init; }

    /// <summary>Customized library hits (text).</summary>
    public IReadOnlyList<GreenCustomizedHit>? CustomizedHit { get; init; }
}

/// <summary>A suggested answer for a risky LLM query.</summary>
internal sealed class GreenAdvice
{
    /// <summary>The answer text.</summary>
    public string? Answer { get; init; }

    /// <summary>The label it answers.</summary>
    public string? HitLabel { get; init; }

    /// <summary>The answer library.</summary>
    public string? HitLibName { get; init; }
}

/// <summary>TextModerationPlus <c>Data</c>.</summary>
internal sealed class GreenTextModerationResult
{
    /// <summary>"none", "low", "medium" or "high".</summary>
    public string? RiskLevel { get; init; }

    /// <summary>Labels.</summary>
    public IReadOnlyList<GreenLabelResult>? Result { get; init; }

    /// <summary>Suggested answers.</summary>
    public IReadOnlyList<GreenAdvice>? Advice { get; init; }
}

/// <summary>ImageModeration <c>Data</c>.</summary>
internal sealed class GreenImageModerationResult
{
    /// <summary>Caller's data id.</summary>
    public string? DataId { get; init; }

    /// <summary>"none", "low", "medium" or "high".</summary>
    public string? RiskLevel { get; init; }

    /// <summary>Labels.</summary>
    public IReadOnlyList<GreenLabelResult>? Result { get; init; }
}

/// <summary>VoiceModeration / VideoModeration <c>Data</c>: the task to poll.</summary>
internal sealed class GreenTaskSubmission
{
    /// <summary>Task id.</summary>
    public string? TaskId { get; init; }

    /// <summary>Caller's data id.</summary>
    public string? DataId { get; init; }
}

/// <summary>A transcribed audio slice with its labels.</summary>
internal sealed class GreenSliceDetail
{
    /// <summary>Slice start, seconds.</summary>
    public double? StartTime { get; init; }

    /// <summary>Slice end, seconds.</summary>
    public double? EndTime { get; init; }

    /// <summary>Transcribed text.</summary>
    public string? Text { get; init; }

    /// <summary>Labels, comma-separated (e.g. "C_customized").</summary>
    public string? Labels { get; init; }

    /// <summary>JSON with customizedWords / customizedLibs.</summary>
    public string? Extend { get; init; }

    /// <summary>Slice risk level.</summary>
    public string? RiskLevel { get; init; }
}

/// <summary>A label count in a summary.</summary>
internal sealed class GreenLabelSummary
{
    /// <summary>Label.</summary>
    public string? Label { get; init; }

    /// <summary>How many slices or frames carried it.</summary>
    public int? LabelSum { get; init; }
}

/// <summary>VoiceModerationResult <c>Data</c>.</summary>
internal sealed class GreenVoiceModerationResult
{
    /// <summary>Task id.</summary>
    public string? TaskId { get; init; }

    /// <summary>Caller's data id.</summary>
    public string? DataId { get; init; }

    /// <summary>Overall risk level.</summary>
    public string? RiskLevel { get; init; }

    /// <summary>Transcribed slices.</summary>
    public IReadOnlyList<GreenSliceDetail>? SliceDetails { get; init; }
}

/// <summary>The audio part of a video result.</summary>
internal sealed class GreenAudioResult
{
    /// <summary>Label counts.</summary>
    public IReadOnlyList<GreenLabelSummary>? AudioSummarys { get; init; }

    /// <summary>Transcribed slices.</summary>
    public IReadOnlyList<GreenSliceDetail>? SliceDetails { get; init; }
}

/// <summary>The frame part of a video result.</summary>
internal sealed class GreenFrameResult
{
    /// <summary>Frames checked.</summary>
    public int? FrameNum { get; init; }

    /// <summary>Label counts.</summary>
    public IReadOnlyList<GreenLabelSummary>? FrameSummarys { get; init; }

    /// <summary>Per-frame details, kept as raw JSON.</summary>
    public IReadOnlyList<JsonElement>? Frames { get; init; }
}

/// <summary>VideoModerationResult <c>Data</c>.</summary>
internal sealed class GreenVideoModerationResult
{
    /// <summary>Task id.</summary>
    public string? TaskId { get; init; }

    /// <summary>Caller's data id.</summary>
    public string? DataId { get; init; }

    /// <summary>Overall risk level.</summary>
    public string? RiskLevel { get; init; }

    /// <summary>Audio track findings.</summary>
    public GreenAudioResult? AudioResult { get; init; }

    /// <summary>Frame findings.</summary>
    public GreenFrameResult? FrameResult { get; init; }
}

/// <summary>The result of polling an asynchronous task: complete with data, or still running.</summary>
internal sealed record GreenTaskResult<T>(bool IsComplete, T? Data, string? RequestId) where T : class;
