using Conversations.Text;

namespace Conversations.Moderation.Messages;

/// <summary>The catalogue of refusal messages: a few gentle, specific variants per class, in Chinese and English.</summary>
/// <remarks>
/// Written like every error the platform shows: plain words, say what happened and why, say what to do next, no blame.
/// The variant is picked from a stable hash of a seed (e.g. the turn id), so the same turn always reads the same.
/// </remarks>
public static class RefusalMessages
{
    private static readonly Dictionary<RefusalClass, string[]> English = new()
    {
        [RefusalClass.Abuse] =
        [
            "I'd like to help, but your message contains language I can't respond to. Could you rephrase it without the offensive words?",
            "Let's keep things friendly — some words in your message aren't allowed here. Please try asking again in different words.",
            "Your question includes wording I'm not able to work with. If you rephrase it politely, I'll be glad to help.",
        ],
        [RefusalClass.PersonalData] =
        [
            "Your message seems to contain personal information (such as a phone number or ID number), so I didn't process it. Please remove those details and ask again.",
            "To protect personal data, I can't handle messages containing identity, card or contact details. Try your question again without them.",
            "It looks like your message includes someone's personal details. For privacy, please leave them out and send your question again.",
        ],
        [RefusalClass.Secret] =
        [
            "Your message appears to contain a password or access key, so I stopped here to keep it safe. Please remove it — and consider changing it, since it has been typed into a chat.",
            "For your security I don't process passwords or API keys. Please resend your question without the secret; if it was real, it's a good idea to rotate it.",
            "That looks like a credential. I've kept it out of the conversation — ask again without it, and change it if it's a live one.",
        ],
        [RefusalClass.Confidential] =
        [
            "Your question mentions internal information that can't be discussed here. Please check with your administrator or use the internal channel for it.",
            "Sorry, this touches on confidential company information that this assistant isn't allowed to share or discuss. Your administrator can tell you where to ask instead.",
            "I can't help with that one: it refers to internal resources covered by your organisation's policy. Try asking without the internal details.",
        ],
        [RefusalClass.PromptAttack] =
        [
            "I can't change how I've been set up, but I'm happy to help with your actual question. What would you like to know?",
            "That request asks me to ignore my instructions, which I can't do. Please ask your question directly and I'll do my best.",
            "I have to stay within my configured role. Let me know what you need help with and I'll answer within it.",
        ],
        [RefusalClass.Policy] =
        [
            "Sorry, I can't help with this request because it goes against the content policy. If you think this is a mistake, try rephrasing or contact your administrator.",
            "This request isn't something I'm able to assist with under the platform's rules. You're welcome to ask about something else.",
            "I'm not able to answer that one, as it falls outside what's allowed here. Please rephrase, or reach out to your administrator if you need it reviewed.",
        ],
        [RefusalClass.RateLimited] =
        [
            "You're sending messages faster than I can keep up with. Please wait a moment and try again.",
            "You've reached the usage limit for a short while. Take a short break and send your question again in a minute.",
            "Too many requests in a short time — please pause briefly, then try again. Your conversation is saved.",
        ],
        [RefusalClass.ServiceUnavailable] =
        [
            "The content safety check is temporarily unavailable, so I can't answer right now. Please try again in a few moments.",
            "Something on our side isn't responding at the moment. Nothing is wrong with your question — please try again shortly.",
            "I'm having trouble reaching a required service. Please wait a little and retry; if it keeps happening, let your administrator know.",
        ],
    };

    private static readonly Dictionary<RefusalClass, string[]> Chinese = new()
    {
        [RefusalClass.Abuse] =
        [
            "很想帮您，但您的消息中含有不文明用语，我无法回复。请换一种说法再试一次。",
            "让我们友好交流吧——您的消息里有不允许使用的词语，请修改措辞后重新提问。",
            "您的问题中包含我无法处理的用词。换个礼貌的说法，我很乐意继续帮您。",
        ],
        [RefusalClass.PersonalData] =
        [
            "您的消息似乎包含个人信息（如手机号、身份证号），为保护隐私我没有处理。请删去这些信息后再提问。",
            "为保护个人数据，我无法处理含有身份、银行卡或联系方式的消息。请去掉这些内容后重试。",
            "您的消息中好像有他人的个人信息。出于隐私保护，请删除后重新发送问题。",
        ],
        [RefusalClass.Secret] =
        [
            "您的消息中似乎含有密码或访问密钥，为了安全我在这里停止了处理。请删除后再发送，并建议尽快修改该密码或密钥。",
            "出于安全考虑，我不处理密码或 API 密钥。请去掉敏感信息后重新提问；如果它是真实的，建议及时更换。",
            "这看起来像是登录凭据，我已避免在对话中使用它。请不带该信息重新提问，如仍在使用请尽快修改。",
        ],
        [RefusalClass.Confidential] =
        [
            "您的问题涉及不能在此讨论的内部信息。请联系管理员，或通过公司内部渠道咨询。",
            "抱歉，这涉及公司保密信息，本助手无法提供或讨论。管理员可以告诉您应该向哪里咨询。",
            "这个问题我没法回答：它提到了受公司制度保护的内部资源。请去掉内部细节后再试。",
        ],
        [RefusalClass.PromptAttack] =
        [
            "我无法更改自己的设定，但很乐意回答您真正想问的问题。请问您想了解什么？",
            "这个请求要求我忽略已有的指令，我做不到。请直接提出您的问题，我会尽力解答。",
            "我需要在既定的角色范围内工作。告诉我您需要什么帮助，我会在范围内为您解答。",
        ],
        [RefusalClass.Policy] =
        [
            "抱歉，这个请求不符合内容安全规范，我无法协助。如果您认为判断有误，可以换种说法或联系管理员。",
            "根据平台规则，这个请求我无法处理。欢迎您咨询其他问题。",
            "这个问题超出了允许的范围，我暂时无法回答。请换个说法，或联系管理员进行复核。",
        ],
        [RefusalClass.RateLimited] =
        [
            "您发送消息的速度有点快，我需要稍作休息。请稍等片刻再试。",
            "您短时间内的使用次数已达上限。请休息一下，一分钟后再发送问题。",
            "短时间内请求过多，请稍候再试。您的对话已保存。",
        ],
        [RefusalClass.ServiceUnavailable] =
        [
            "内容安全检查服务暂时不可用，我现在无法回答。请稍后再试。",
            "我们这边的某个服务暂时没有响应。您的问题没有问题，请稍后重试。",
            "暂时无法连接到必要的服务。请稍等后重试；如果问题持续，请联系管理员。",
        ],
    };

    /// <summary>The message for <paramref name="refusal"/>, in the language of <paramref name="question"/>, variant chosen from <paramref name="seed"/>.</summary>
    public static RefusalMessage For(RefusalClass refusal, string question, string seed) =>
        ForLanguage(refusal, Languages.Detect(question), seed);

    /// <summary>The message for <paramref name="refusal"/> in <paramref name="language"/> ("zh" or anything else for English).</summary>
    public static RefusalMessage ForLanguage(RefusalClass refusal, string language, string seed)
    {
        var zh = language == Languages.Chinese;
        var variants = (zh ? Chinese : English)[refusal];
        var variant = (int)(StableHash(seed) % (uint)variants.Length);
        return new RefusalMessage(refusal, zh ? Languages.Chinese : Languages.English, variants[variant], variant);
    }

    /// <summary>Number of variants available for a class (the same in both languages).</summary>
    public static int VariantCount(RefusalClass refusal) => English[refusal].Length;

    /// <summary>The refusal of a message whose attached image was not allowed, in the question's language.</summary>
    public static string ImageRefused(string question) => Languages.Detect(question) == Languages.Chinese
        ? "您附加的图片未通过内容安全检查，因此无法回答这条消息。请换一张图片，或只发送文字。"
        : "An image attached to this message did not pass the content check, so the message can't be answered. Try another image, or send the text alone.";

    /// <summary>The notice that replaces a withheld streamed answer, in the question's language.</summary>
    public static string WithheldNotice(string question) => Languages.Detect(question) == Languages.Chinese
        ? "\n【后续内容可能包含不宜展示的信息，已被隐藏。如有需要，请换个方式提问。】"
        : "\n[The rest of this answer was withheld because it may contain content that can't be shared here. You can try asking in a different way.]";

    /// <summary>FNV-1a over UTF-16 units: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    internal static uint StableHash(string seed)
    {
        var hash = 2166136261u;
        foreach (var c in seed)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return hash;
    }
}
