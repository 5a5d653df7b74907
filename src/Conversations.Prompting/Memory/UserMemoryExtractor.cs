using Conversations.Text;
using System.Text.RegularExpressions;

namespace Conversations.Prompting.Memory;

/// <summary>
/// Finds durable facts and preferences in a user message with plain rules, in English and Chinese ("my name is…",
/// "call me…", "always answer in…", "我叫…", "请用中文回答", "我在…工作"). Questions are skipped, so "what do I prefer?"
/// is not a preference. Stateless and thread-safe.
/// </summary>
public static partial class UserMemoryExtractor
{
    private const int MaxValueLength = 60;

    /// <summary>The facts stated in <paramref name="userMessage"/>, in the order they appear.</summary>
    public static IReadOnlyList<MemoryCandidate> Extract(string userMessage)
    {
        var found = new List<MemoryCandidate>();
        foreach (var (sentence, isQuestion) in Sentences.Split(userMessage))
        {
            if (isQuestion) continue;
            ExtractFrom(sentence, found);
        }
        return found;
    }

    private static void ExtractFrom(string s, List<MemoryCandidate> found)
    {
        var language = AnswerLanguageEn().Match(s) is { Success: true } le ? le : AnswerLanguageZh().Match(s);
        if (language.Success)
            Add(found, MemorySlots.AnswerLanguage, "Answer language: ", LanguageName(language.Groups["v"].Value));

        if (NameEn().Match(s) is { Success: true } n) Add(found, MemorySlots.Name, "Name: ", Clean(n));
        else if (NameZh().Match(s) is { Success: true } nz) Add(found, MemorySlots.Name, "Name: ", Clean(nz));

        if (CallMeEn().Match(s) is { Success: true } c) Add(found, MemorySlots.PreferredName, "Preferred name: ", Clean(c));
        else if (CallMeZh().Match(s) is { Success: true } cz) Add(found, MemorySlots.PreferredName, "Preferred name: ", Clean(cz));

        if (WorkEn().Match(s) is { Success: true } w)
            Add(found, MemorySlots.WorkPrefix + w.Groups["p"].Value.ToLowerInvariant(), WorkLabel(w.Groups["p"].Value), Clean(w));
        else if (WorkZh().Match(s) is { Success: true } wz)
            Add(found, MemorySlots.WorkPrefix + "at", "Works at: ", Clean(wz));

        if (RoleEn().Match(s) is { Success: true } r) Add(found, MemorySlots.Role, "Role: ", Clean(r));
        else if (RoleZh().Match(s) is { Success: true } rz) Add(found, MemorySlots.Role, "Role: ", Clean(rz));

        if (LiveEn().Match(s) is { Success: true } l) Add(found, MemorySlots.Location, "Lives in: ", Clean(l));
        else if (LiveZh().Match(s) is { Success: true } lz) Add(found, MemorySlots.Location, "Lives in: ", Clean(lz));

        // A stated language preference is already captured above; other preferences are about style or things.
        if (!language.Success)
        {
            var preference = PreferEn().Match(s) is { Success: true } p ? p : PreferZh().Match(s);
            if (preference.Success) AddPreference(found, Clean(preference), "Prefers: ", MemorySlots.PreferencePrefix);
            var like = LikeEn().Match(s) is { Success: true } k ? k : LikeZh().Match(s);
            if (like.Success) AddPreference(found, Clean(like), "Likes: ", MemorySlots.LikesPrefix);
        }
    }

    private static void AddPreference(List<MemoryCandidate> found, string value, string label, string slotPrefix)
    {
        if (value.Length == 0) return;
        if (AnswerStyleWords().IsMatch(value)) Add(found, MemorySlots.AnswerStyle, "Answer style: ", value);
        else Add(found, slotPrefix + value.ToLowerInvariant(), label, value);
    }

    private static void Add(List<MemoryCandidate> found, string slot, string label, string value)
    {
        if (value.Length == 0) return;
        found.Add(new MemoryCandidate(slot, label + value));
    }

    private static string WorkLabel(string preposition) => preposition.ToLowerInvariant() switch
    {
        "in" => "Works in: ",
        "as" => "Works as: ",
        _ => "Works at: ",
    };

    private static string LanguageName(string value) => value.ToLowerInvariant() switch
    {
        "中文" or "汉语" or "普通话" or "chinese" or "mandarin" => "Chinese",
        "英文" or "英语" or "english" => "English",
        "日语" or "日文" or "japanese" => "Japanese",
        "韩语" or "korean" => "Korean",
        "法语" or "french" => "French",
        "德语" or "german" => "German",
        "spanish" => "Spanish",
        var other => other.Length == 0 ? other : char.ToUpperInvariant(other[0]) + other[1..],
    };

    // Keeps the stated value only: up to a clause break, without trailing particles and punctuation.
    private static string Clean(Match match)
    {
        var value = match.Groups["v"].Value.Trim();
        var cut = ClauseBreak().Match(value);
        if (cut.Success) value = value[..cut.Index];
        value = value.Trim().TrimEnd('的', '了', '啊', '呢', '吧', '哦', '呀', ',', '，', ':', '：', '"', '\'', ')', '）');
        return value.Length > MaxValueLength ? value[..MaxValueLength].TrimEnd() : value;
    }

    [GeneratedRegex(@"\s+(?:and|but|so|because|since|who|which|though)\s|[,;:()，；：（）、]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClauseBreak();

    [GeneratedRegex(@"\b(?:(?:please\s+)?(?:always\s+)?(?:answer|reply|respond|write|talk|speak)(?:\s+to\s+me)?|I\s+prefer\s+(?:answers|replies|responses)?)\s+in\s+(?<v>[A-Za-z]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnswerLanguageEn();

    [GeneratedRegex(@"用(?<v>中文|汉语|普通话|英文|英语|日语|日文|韩语|法语|德语)(?:来)?(?:回答|回复|答复|交流|写|说|沟通)")]
    private static partial Regex AnswerLanguageZh();

    [GeneratedRegex(@"\bmy\s+name\s+is\s+(?<v>[\p{L}][\p{L}\p{M}'\- ]{0,40})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NameEn();

    [GeneratedRegex(@"(?:我叫|我的名字(?:是|叫))(?<v>[^\s，。！？,.!?；;、]{1,20})")]
    private static partial Regex NameZh();

    [GeneratedRegex(@"\bcall\s+me\s+(?<v>[\p{L}][\p{L}\p{M}'\- ]{0,30})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CallMeEn();

    [GeneratedRegex(@"叫我(?<v>[^\s，。！？,.!?；;、]{1,12})")]
    private static partial Regex CallMeZh();

    [GeneratedRegex(@"\bI\s+(?:work|am\s+working|'m\s+working)\s+(?<p>at|for|in|as)\s+(?<v>[^.!?\n]{1,60})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WorkEn();

    [GeneratedRegex(@"我在(?<v>[^\s，。！？,.!?；;、]{1,20}?)(?:工作|上班|任职)")]
    private static partial Regex WorkZh();

    [GeneratedRegex(@"\bI(?:'m|\s+am)\s+an?\s+(?!bit\b|little\b|lot\b|fan\b)(?<v>[^.!?\n]{2,60})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoleEn();

    [GeneratedRegex(@"我是(?!说|不是|不|否|在|想|要|觉得|因为|为了|从|来|问|个|一个问题)(?<v>[^\s，。！？,.!?；;、]{2,20})")]
    private static partial Regex RoleZh();

    [GeneratedRegex(@"\bI\s+live\s+in\s+(?<v>[^.!?\n]{1,60})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LiveEn();

    [GeneratedRegex(@"我住在(?<v>[^\s，。！？,.!?；;、]{1,20})")]
    private static partial Regex LiveZh();

    [GeneratedRegex(@"\bI\s+(?:really\s+)?prefer\s+(?<v>[^.!?\n]{2,60})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PreferEn();

    [GeneratedRegex(@"我(?:更)?(?:偏好|倾向于|更喜欢)(?<v>[^\s，。！？,.!?；;、]{1,30})")]
    private static partial Regex PreferZh();

    [GeneratedRegex(@"\bI\s+(?:really\s+)?(?:like|love)\s+(?!to\b)(?<v>[^.!?\n]{2,60})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LikeEn();

    [GeneratedRegex(@"我喜欢(?<v>[^\s，。！？,.!?；;、]{1,30})")]
    private static partial Regex LikeZh();

    [GeneratedRegex(@"short|brief|concise|succinct|detailed|long|step[- ]by[- ]step|bullet|简短|简洁|简要|详细|详尽|分点|要点", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnswerStyleWords();
}
