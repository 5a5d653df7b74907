using System.Text.RegularExpressions;

namespace Conversations.Moderation.Pii;

/// <summary>Source-generated candidate patterns; every match is validated before it counts (see <see cref="PiiScanner"/>).</summary>
internal static partial class PiiPatterns
{
    [GeneratedRegex(@"(?<![0-9+])(?:(?:\+|00)86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}(?![0-9])", RegexOptions.CultureInvariant)]
    public static partial Regex ChinaMobile();

    [GeneratedRegex(@"(?<![0-9A-Za-z+])(?:\+|00)[1-9][0-9]{0,2}(?:[ \-]?\(?[0-9]{1,4}\)?){2,6}(?![0-9])", RegexOptions.CultureInvariant)]
    public static partial Regex InternationalPhone();

    [GeneratedRegex(@"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    public static partial Regex ChinaResidentId();

    [GeneratedRegex(@"(?<![0-9])[0-9](?:[ \-]?[0-9]){12,18}(?![0-9])", RegexOptions.CultureInvariant)]
    public static partial Regex BankCard();

    [GeneratedRegex(@"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9]|\.[0-9])", RegexOptions.CultureInvariant)]
    public static partial Regex IPv4();

    /// <summary>Keys with a recognisable vendor prefix (OpenAI/DashScope "sk-", AWS, Alibaba Cloud, GitHub).</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:sk-[A-Za-z0-9_\-]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|LTAI[0-9A-Za-z]{12,28}|gh[pousr]_[A-Za-z0-9]{36,})(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    public static partial Regex PrefixedKey();

    /// <summary>"api_key=", "token:", "secret =", "Bearer " and friends; the value after it is checked for entropy.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:(?:api|app|access|secret|client|private)[_\-]?(?:key|secret|token)(?:[_\-]?(?:id|secret))?|(?:auth|access|refresh|bearer|session)?[_\-]?token|secret|bearer)[""']?\s*(?:[:=]|\s)\s*[""']?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    public static partial Regex KeyAssignment();

    /// <summary>"password: x", "password=x", "password is x", "密码：x", "密码是x"; the value follows the match.</summary>
    [GeneratedRegex(@"(?<![A-Za-z])(?:password|passwd|passcode|pwd|密码|口令)\s*(?:[:=：]|\s+is\s+|是|为)\s*[""'“]?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    public static partial Regex PasswordAssignment();
}
