namespace Conversations.Text.Tests;

public sealed class TextNormalizerTests
{
    [Fact]
    public void One_newline_style_no_trailing_spaces_no_outer_blank_lines()
    {
        // Proves the canonical form does not depend on how the text's lines were ended or padded.
        Assert.Equal("a\nb\n\nc", TextNormalizer.Normalize("\r\n  \na  \r\nb\t\r\r\nc \n\n"));
    }

    [Fact]
    public void Composed_and_decomposed_forms_are_one_text()
    {
        // Proves NFC: "é" typed as e + combining accent equals the precomposed letter.
        Assert.Equal(TextNormalizer.Normalize("caf\u00E9"), TextNormalizer.Normalize("cafe\u0301"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \r\n\t ")]
    public void Blank_text_is_empty(string? text)
    {
        // Proves null and whitespace-only text give the empty string, never null.
        Assert.Equal("", TextNormalizer.Normalize(text));
    }
}
