namespace Conversations.Moderation.Green;

/// <summary>The Alibaba Cloud Green 2022-03-02 calls the platform uses.</summary>
internal interface IGreenClient
{
    /// <summary>TextModerationPlus with <paramref name="service"/> "llm_query_moderation" or "llm_response_moderation".</summary>
    Task<GreenTextModerationResult> TextModerationPlusAsync(string service, string content, CancellationToken cancellationToken = default);

    /// <summary>ImageModeration of an image URL (service e.g. "baselineCheck").</summary>
    Task<GreenImageModerationResult> ImageModerationAsync(string imageUrl, string service = GreenApi.BaselineCheck, string? dataId = null, CancellationToken cancellationToken = default);

    /// <summary>Submits a voice file for asynchronous moderation; poll with <see cref="VoiceModerationResultAsync"/>.</summary>
    Task<GreenTaskSubmission> VoiceModerationAsync(string url, string service = GreenApi.AudioMediaDetection, string? dataId = null, CancellationToken cancellationToken = default);

    /// <summary>Polls a voice task; not complete while Green answers 280.</summary>
    Task<GreenTaskResult<GreenVoiceModerationResult>> VoiceModerationResultAsync(string taskId, string service = GreenApi.AudioMediaDetection, CancellationToken cancellationToken = default);

    /// <summary>Submits a video for asynchronous moderation; poll with <see cref="VideoModerationResultAsync"/>.</summary>
    Task<GreenTaskSubmission> VideoModerationAsync(string url, string service = GreenApi.VideoDetection, string? dataId = null, CancellationToken cancellationToken = default);

    /// <summary>Polls a video task; not complete while Green answers 280.</summary>
    Task<GreenTaskResult<GreenVideoModerationResult>> VideoModerationResultAsync(string taskId, string service = GreenApi.VideoDetection, CancellationToken cancellationToken = default);
}
