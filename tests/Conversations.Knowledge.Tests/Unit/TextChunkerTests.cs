using Conversations.Knowledge.Chunking;
using Conversations.Prompting.Tokens;

namespace Conversations.Knowledge.Tests.Unit;

public sealed class TextChunkerTests
{
    private static readonly TokenCounter Tokens = new();

    private static string Sentences(int n, string stem = "Sentence") =>
        string.Join(" ", Enumerable.Range(1, n).Select(i => $"{stem} number {i} talks about topic {i % 7} in some detail."));

    // One "word" of tens of thousands of characters (no space, no sentence end) is what a hostile upload sends; cutting it
    // must not re-tokenize the whole remainder for every piece, which took minutes and held the tenant's knowledge base.
    [Fact(Timeout = 60_000)]
    public async Task A_very_long_word_is_cut_into_chunks_without_stalling()
    {
        var chunker = new TextChunker(Tokens);
        var chunks = await Task.Run(() => chunker.Chunk(new string('x', 70_000) + ". Then a normal sentence."));
        Assert.True(chunks.Count > 10);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, ChunkerOptions.DefaultMaxTokens));
        Assert.Contains("Then a normal sentence.", chunks[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void No_chunk_exceeds_the_token_limit()
    {
        var chunker = new TextChunker(Tokens, new ChunkerOptions { MaxTokens = 60, OverlapTokens = 10 });
        var chunks = chunker.Chunk(Sentences(200));
        Assert.True(chunks.Count > 10);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 60));
    }

    [Fact]
    public void Consecutive_chunks_overlap_and_together_cover_every_sentence()
    {
        var chunker = new TextChunker(Tokens, new ChunkerOptions { MaxTokens = 60, OverlapTokens = 20 });
        var text = Sentences(50);
        var chunks = chunker.Chunk(text);
        for (var i = 1; i < chunks.Count; i++)
        {
            // The first sentence of a chunk is the end of the previous chunk.
            var firstSentence = chunks[i].Text.Split(". ")[0];
            Assert.Contains(firstSentence, chunks[i - 1].Text);
        }
        for (var n = 1; n <= 50; n++) Assert.Contains(chunks, c => c.Text.Contains($"Sentence number {n} talks"));
    }

    [Fact]
    public void Markdown_headings_are_carried_into_their_chunks_and_not_across_sections()
    {
        var chunker = new TextChunker(Tokens, new ChunkerOptions { MaxTokens = 50, OverlapTokens = 10 });
        var chunks = chunker.Chunk($"# Alpha\n\n{Sentences(10, "Alpha")}\n\n## Beta\n\n{Sentences(10, "Beta")}");
        Assert.All(chunks.Where(c => c.Text.Contains("Alpha number")), c => Assert.StartsWith("# Alpha", c.Text));
        Assert.All(chunks.Where(c => c.Text.Contains("Beta number")), c => Assert.StartsWith("## Beta", c.Text));
        Assert.DoesNotContain(chunks, c => c.Text.Contains("Alpha number") && c.Text.Contains("Beta number"));
    }

    [Fact]
    public void A_sentence_longer_than_a_chunk_is_cut_by_tokens()
    {
        var chunker = new TextChunker(Tokens, new ChunkerOptions { MaxTokens = 30, OverlapTokens = 0 });
        var longSentence = string.Join(" ", Enumerable.Range(0, 300).Select(i => $"w{i}"));
        var chunks = chunker.Chunk(longSentence);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 30));
        Assert.Equal(longSentence.Replace(" ", ""), string.Concat(chunks.Select(c => c.Text.Replace(" ", ""))));
    }

    [Fact]
    public void Blank_text_has_no_chunks_and_indexes_are_dense()
    {
        var chunker = new TextChunker(Tokens);
        Assert.Empty(chunker.Chunk("  \n\n "));
        var chunks = chunker.Chunk(Sentences(100));
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Index));
    }

    [Fact]
    public void Overlap_of_half_the_chunk_or_more_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new TextChunker(Tokens, new ChunkerOptions { MaxTokens = 40, OverlapTokens = 20 }));
    }
}
