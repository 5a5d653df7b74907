namespace Conversations.Moderation.Tests.Green;

public sealed class AcsSignerTests
{
    [Fact]
    public void V3_signature_matches_alibabas_published_example()
    {
        // Proves canonical request, its hash and the signature equal the "V3 request structure and signature" vector.
        var body = Array.Empty<byte>();
        var headers = AcsSigner.StandardHeaders(
            "ecs.cn-shanghai.aliyuncs.com", "RunInstances", "2014-05-26",
            DateTimeOffset.Parse("2023-10-26T10:22:32Z"), "3156853299f313e23d1673dc12e1703d", body);
        var request = new AcsRequest("POST", "/",
            [new("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"), new("RegionId", "cn-shanghai")], headers, body);

        var signature = AcsSigner.SignV3(request, "YourAccessKeyId", "YourAccessKeySecret");

        Assert.Equal("7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259", signature.HashedCanonicalRequest);
        Assert.Equal("06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0", signature.Signature);
        Assert.Equal("host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version", signature.SignedHeaders);
        Assert.Equal(
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
            signature.Authorization);
    }

    [Fact]
    public void Rpc_hmac_sha1_signature_matches_alibabas_published_example()
    {
        // Proves the older RPC signature equals the "Request signature" page vector.
        var parameters = new Dictionary<string, string>
        {
            ["AccessKeyId"] = "testid",
            ["Action"] = "DescribeRegions",
            ["Format"] = "XML",
            ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureNonce"] = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
            ["SignatureVersion"] = "1.0",
            ["Timestamp"] = "2016-02-23T12:46:24Z",
            ["Version"] = "2014-05-26",
        };
        Assert.Equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", AcsSigner.SignRpcV1("GET", parameters, "testsecret"));
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a*b~c", "a%2Ab~c")]
    [InlineData("中", "%E4%B8%AD")]
    [InlineData("{\"k\":\"v\"}", "%7B%22k%22%3A%22v%22%7D")]
    public void Percent_encoding_follows_rfc3986(string raw, string expected)
    {
        // Proves the encoding Alibaba requires: unreserved chars kept, space as %20, '*' encoded, upper-case hex.
        Assert.Equal(expected, AcsSigner.PercentEncode(raw));
    }

    [Fact]
    public void Changing_the_body_changes_the_signature()
    {
        // Proves the body hash is part of what is signed.
        var time = DateTimeOffset.Parse("2024-01-01T00:00:00Z");
        AcsSignature Sign(string body)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(body);
            return AcsSigner.SignV3(new AcsRequest("POST", "/", [], AcsSigner.StandardHeaders("h", "A", "v", time, "n", bytes), bytes), "id", "secret");
        }
        Assert.NotEqual(Sign("a=1").Signature, Sign("a=2").Signature);
    }
}
