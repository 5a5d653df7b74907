using Conversations.TestModel.Embeddings;

namespace Conversations.TestModel.Tests.Logic;

/// <summary>Pseudo-embeddings: deterministic, normalized, closer for texts that share words.</summary>
public sealed class PseudoEmbeddingTests
{
    [Fact]
    public void Texts_sharing_words_are_closer_than_unrelated_ones()
    {
        // Proves: word overlap raises cosine similarity, so similarity thresholds can be tested without a model.
        var question = PseudoEmbedding.Embed("How do I reset my password?", 384);
        var paraphrase = PseudoEmbedding.Embed("how do i reset the password", 384);
        var unrelated = PseudoEmbedding.Embed("Quarterly revenue grew in Europe", 384);

        Assert.True(Cosine(question, paraphrase) > 0.6, $"{Cosine(question, paraphrase)}");
        Assert.True(Cosine(question, unrelated) < 0.3, $"{Cosine(question, unrelated)}");
    }

    [Fact]
    public void Chinese_text_is_embedded_per_character()
    {
        // Proves: CJK text gets a non-trivial vector and shared characters raise similarity.
        var a = PseudoEmbedding.Embed("退款政策是什么", 64);
        var b = PseudoEmbedding.Embed("退款政策", 64);
        var c = PseudoEmbedding.Embed("天气很好", 64);

        Assert.True(Cosine(a, b) > Cosine(a, c));
    }

    private static double Cosine(float[] a, float[] b)
    {
        var dot = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
        }

        return dot;
    }
}
