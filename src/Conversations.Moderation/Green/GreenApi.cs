namespace Conversations.Moderation.Green;

/// <summary>Names from the Green 2022-03-02 API: version, actions, services and result codes.</summary>
internal static class GreenApi
{
    /// <summary>API version.</summary>
    public const string Version = "2022-03-02";

    /// <summary>Text moderation PLUS (LLM input/output services).</summary>
    public const string TextModerationPlus = "TextModerationPlus";

    /// <summary>Synchronous image moderation.</summary>
    public const string ImageModeration = "ImageModeration";

    /// <summary>Submit an asynchronous voice moderation task.</summary>
    public const string VoiceModeration = "VoiceModeration";

    /// <summary>Poll a voice moderation task.</summary>
    public const string VoiceModerationResult = "VoiceModerationResult";

    /// <summary>Submit an asynchronous video moderation task.</summary>
    public const string VideoModeration = "VideoModeration";

    /// <summary>Poll a video moderation task.</summary>
    public const string VideoModerationResult = "VideoModerationResult";

    /// <summary>Service that checks a user's input to a language model.</summary>
    public const string LlmQueryModeration = "llm_query_moderation";

    /// <summary>Service that checks a language model's output.</summary>
    public const string LlmResponseModeration = "llm_response_moderation";

    /// <summary>General baseline image check.</summary>
    public const string BaselineCheck = "baselineCheck";

    /// <summary>Audio/voice file detection service.</summary>
    public const string AudioMediaDetection = "audio_media_detection";

    /// <summary>Video file detection service.</summary>
    public const string VideoDetection = "videoDetection";

    /// <summary>Success.</summary>
    public const int CodeOk = 200;

    /// <summary>Asynchronous task still running (poll again).</summary>
    public const int CodeProcessing = 280;

    /// <summary>The account is not authorized for the service.</summary>
    public const int CodeNotAuthorized = 408;

    /// <summary>Green timed out internally (transient).</summary>
    public const int CodeTimeout = 581;

    /// <summary>Quota exceeded.</summary>
    public const int CodeOverQuota = 588;

    /// <summary>Too many requests.</summary>
    public const int CodeThrottled = 429;

    /// <summary>The text service for a moderation phase.</summary>
    public static string TextServiceFor(ModerationPhase phase) =>
        phase == ModerationPhase.Input ? LlmQueryModeration : LlmResponseModeration;
}
