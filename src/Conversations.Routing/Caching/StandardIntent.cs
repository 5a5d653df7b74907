namespace Conversations.Routing.Caching;

/// <summary>Messages that need no model: a fixed reply is faster, free and just as good.</summary>
public enum StandardIntent
{
    /// <summary>"hi", "你好".</summary>
    Greeting = 0,

    /// <summary>"thanks", "谢谢".</summary>
    Thanks = 1,

    /// <summary>"ok", "got it", "好的".</summary>
    Confirmation = 2,

    /// <summary>"bye", "再见".</summary>
    Goodbye = 3,
}
