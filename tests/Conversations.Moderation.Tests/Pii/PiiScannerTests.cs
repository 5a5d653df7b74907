namespace Conversations.Moderation.Tests.Pii;

public sealed class PiiScannerTests
{
    private static (string Value, PiiKind Kind)[] Find(string text) =>
        PiiScanner.Default.Scan(text).Select(s => (text[s.Start..s.End], s.Kind)).ToArray();

    [Theory]
    [InlineData("12800138000")] // second digit 2 is not a mobile prefix
    [InlineData("138001380001")] // 12 digits
    public void Rejects_non_mobile_digit_runs(string text)
    {
        // Proves wrong prefixes and wrong lengths are not reported as phones.
        Assert.DoesNotContain(Find(text), f => f.Kind == PiiKind.ChinaMobile);
    }

    [Theory]
    [InlineData("110105194912310021")] // wrong check digit
    [InlineData("11010519491331002X")] // month 13
    [InlineData("110105209912310025")] // born in the future
    public void Rejects_invalid_resident_ids(string id)
    {
        // Proves a bad check digit, an impossible date or a future birth date is not an ID.
        Assert.False(PiiValidators.IsChinaResidentIdValid(id));
        Assert.DoesNotContain(Find(id), f => f.Kind == PiiKind.ChinaResidentId);
    }

    [Fact]
    public void Rejects_cards_failing_luhn()
    {
        // Proves a one-digit change that breaks Luhn is not reported.
        Assert.Empty(Find("卡号6222021234567890"));
    }

    [Fact]
    public void Finds_emails_and_valid_ipv4_only()
    {
        // Proves e-mails and IPs are found, and octets above 255 are rejected.
        Assert.Equal(
            [("alice.w@example.com", PiiKind.Email), ("10.1.2.254", PiiKind.IPv4)],
            Find("mail alice.w@example.com from 10.1.2.254 not 10.1.2.256"));
    }

    [Theory]
    [InlineData("联系我 13800138000 谢谢", "13800138000", PiiKind.ChinaMobile)]
    [InlineData("call +86 138-0013-8000 now", "+86 138-0013-8000", PiiKind.ChinaMobile)]
    [InlineData("手机：138 0013 8000。", "138 0013 8000", PiiKind.ChinaMobile)]
    [InlineData("UK office: +44 20 7946 0958.", "+44 20 7946 0958", PiiKind.InternationalPhone)]
    [InlineData("身份证号11010519491231002X。", "11010519491231002X", PiiKind.ChinaResidentId)]
    [InlineData("id 320106200001014565 ok", "320106200001014565", PiiKind.ChinaResidentId)]
    [InlineData("card 4111 1111 1111 1111 exp", "4111 1111 1111 1111", PiiKind.BankCard)]
    [InlineData("卡号6222021234567894", "6222021234567894", PiiKind.BankCard)]
    [InlineData("key sk-abcdefghijklmnopqrstuvwx1234 here", "sk-abcdefghijklmnopqrstuvwx1234", PiiKind.ApiKey)]
    [InlineData("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", PiiKind.ApiKey)]
    [InlineData("api_key=Zx81kQ2pLm3Nv7Rt9Ws4", "Zx81kQ2pLm3Nv7Rt9Ws4", PiiKind.ApiKey)]
    [InlineData("Authorization: Bearer eyJhbGciOi1JIUzI1NiIsInR5cCI6", "eyJhbGciOi1JIUzI1NiIsInR5cCI6", PiiKind.ApiKey)]
    [InlineData("my password: hunter2.", "hunter2", PiiKind.Password)]
    [InlineData("PASSWORD=Tr0ub4dor&3", "Tr0ub4dor&3", PiiKind.Password)]
    [InlineData("the password is letmein now", "letmein", PiiKind.Password)]
    [InlineData("登录密码：abc123，请勿外传", "abc123", PiiKind.Password)]
    [InlineData("密码是一二三四五六", "一二三四五六", PiiKind.Password)]
    public void Finds_each_kind_at_its_exact_span(string text, string expected, PiiKind kind)
    {
        // Proves each detector finds its value and nothing else: mainland mobiles with and without +86 and separators,
        // E.164 numbers, GB 11643 IDs with a valid check digit and date, Luhn-valid cards with or without grouping,
        // vendor-prefixed keys and high-entropy values after key=/token=/Bearer, and the value after password/密码
        // markers (without the marker or trailing punctuation).
        Assert.Equal([(expected, kind)], Find(text));
    }

    [Theory]
    [InlineData("token=internationalization")] // a word, not a token
    [InlineData("secret: aaaaaaaaaaaaaaaaaaaa1")] // low entropy
    public void Ignores_low_entropy_values(string text)
    {
        // Proves plain words and repeated chars after "token=" are not secrets.
        Assert.Empty(Find(text));
    }

    [Fact]
    public void Digits_inside_an_email_are_not_also_a_phone()
    {
        // Proves overlap resolution keeps the higher-priority detector only.
        Assert.Equal([("13800138000@qq.com", PiiKind.Email)], Find("13800138000@qq.com"));
    }

    [Theory]
    [InlineData(PiiKind.ChinaMobile, "13812345678", "138****5678")]
    [InlineData(PiiKind.ChinaMobile, "+86 138 1234 5678", "+86 138 **** 5678")]
    [InlineData(PiiKind.Email, "alice@x.com", "a***@x.com")]
    [InlineData(PiiKind.BankCard, "4111 1111 1111 1111", "4111 **** **** 1111")]
    [InlineData(PiiKind.ChinaResidentId, "11010519491231002X", "110***********002X")]
    [InlineData(PiiKind.IPv4, "192.168.10.20", "192.168.**.**")]
    [InlineData(PiiKind.Password, "hunter2", "******")]
    public void Masks_keep_only_recognisable_parts(PiiKind kind, string value, string expected)
    {
        // Proves each kind's mask format.
        Assert.Equal(expected, PiiMasker.Mask(kind, value));
    }
}
