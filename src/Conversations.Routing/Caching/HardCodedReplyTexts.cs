namespace Conversations.Routing.Caching;

/// <summary>The phrases that make up each standard intent and the reply variants for it, in English and Chinese.</summary>
internal static class HardCodedReplyTexts
{
    /// <summary>Phrases per intent; a message qualifies only if it is made of these and fillers.</summary>
    public static readonly IReadOnlyDictionary<StandardIntent, string[]> Phrases = new Dictionary<StandardIntent, string[]>
    {
        [StandardIntent.Greeting] =
        [
            "hi", "hello", "hey", "hiya", "howdy", "greetings", "good morning", "good afternoon", "good evening",
            "你好", "您好", "嗨", "哈喽", "哈罗", "早上好", "上午好", "下午好", "晚上好", "大家好", "早安", "在吗", "在不在",
        ],
        [StandardIntent.Thanks] =
        [
            "thanks", "thank you", "thank u", "thx", "ty", "many thanks", "cheers", "appreciate it", "much appreciated",
            "谢谢", "多谢", "感谢", "非常感谢", "太感谢了", "辛苦了", "谢啦",
        ],
        [StandardIntent.Confirmation] =
        [
            "ok", "okay", "k", "got it", "sure", "alright", "all right", "understood", "sounds good", "great", "cool",
            "perfect", "noted", "yes", "yep",
            "好的", "好吧", "好", "行", "可以", "收到", "明白", "明白了", "知道了", "了解", "懂了", "没问题", "嗯", "嗯嗯", "是的", "对",
        ],
        [StandardIntent.Goodbye] =
        [
            "bye", "goodbye", "good bye", "bye bye", "see you", "see ya", "good night", "talk later", "thats all",
            "再见", "拜拜", "回头见", "晚安", "先这样", "就这样", "没事了",
        ],
    };

    /// <summary>Words that may surround an intent phrase without changing it ("thanks so much", "你好呀").</summary>
    public static readonly string[] Fillers =
    [
        "there", "so", "much", "very", "a", "lot", "again", "all", "everyone", "bot", "assistant", "team", "you",
        "for", "the", "help", "your", "oh", "well", "then", "and", "now", "guys", "folks", "really",
        "啊", "呀", "哦", "啦", "哈", "呢", "嘛", "了", "哇", "喔", "咯", "的", "你", "您", "大家", "哈哈", "非常", "帮助",
    ];

    /// <summary>Reply variants per intent and language.</summary>
    public static readonly IReadOnlyDictionary<(StandardIntent, string), string[]> Replies = new Dictionary<(StandardIntent, string), string[]>
    {
        [(StandardIntent.Greeting, "en")] = ["Hello! What can I help you with today?", "Hi there! Ask me anything about your workspace's documents.", "Hi! How can I help?"],
        [(StandardIntent.Greeting, "zh")] = ["你好！有什么可以帮你的吗？", "您好！请问有什么问题需要我帮忙？", "你好呀，想了解什么内容都可以问我。"],
        [(StandardIntent.Thanks, "en")] = ["You're welcome!", "Glad I could help.", "Any time. Let me know if anything else comes up."],
        [(StandardIntent.Thanks, "zh")] = ["不客气！", "很高兴能帮到你。", "不用谢，还有其他问题随时问我。"],
        [(StandardIntent.Confirmation, "en")] = ["Great. Let me know if you need anything else.", "Okay! I'm here if you have more questions.", "Got it."],
        [(StandardIntent.Confirmation, "zh")] = ["好的，还有其他需要随时告诉我。", "明白，有问题随时找我。", "好的。"],
        [(StandardIntent.Goodbye, "en")] = ["Goodbye! Have a great day.", "See you next time!", "Bye. Come back any time."],
        [(StandardIntent.Goodbye, "zh")] = ["再见，祝你一切顺利！", "下次见！", "拜拜，有问题随时回来找我。"],
    };
}
