namespace Conversations.Routing.Tests.Catalog;

public sealed class ModelCatalogTests
{
    [Fact]
    public void Finds_models_by_id_ignoring_case()
    {
        // Proves lookups are case-insensitive, so policies typed by admins still resolve.
        var catalog = TestModels.Catalog();
        Assert.Equal("qwen-large", catalog.Get("QWEN-LARGE").Id);
        Assert.Null(catalog.Find("missing"));
    }

    [Theory]
    [InlineData("", "http://x/v1", "m", "id must not be empty")]
    [InlineData("extractive", "http://x/v1", "m", "reserved")]
    [InlineData("a", "not a url", "m", "absolute http or https URL")]
    [InlineData("a", "ftp://x/v1", "m", "absolute http or https URL")]
    [InlineData("a", "http://x/v1", " ", "model name")]
    public void Rejects_bad_identity_fields_with_a_clear_message(string id, string endpoint, string modelName, string expected)
    {
        // Proves each bad identity field is named in the exception message.
        var entry = TestModels.Small with { Id = id, Endpoint = endpoint, ModelName = modelName };
        var error = Assert.Throws<ArgumentException>(() => new ModelCatalog([entry]));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Rejects_bad_prices_windows_and_discounts()
    {
        // Proves negative prices, cached price above input price, empty windows and full discounts are refused.
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => new ModelCatalog([TestModels.Small with { OutputPerMillion = -1 }])).Message);
        Assert.Contains("cached-input price", Assert.Throws<ArgumentException>(() => new ModelCatalog([TestModels.Small with { CachedInputPerMillion = 1m }])).Message);
        Assert.Contains("context window", Assert.Throws<ArgumentException>(() => new ModelCatalog([TestModels.Small with { ContextWindowTokens = 0 }])).Message);
        Assert.Contains("batch discount", Assert.Throws<ArgumentException>(() => new ModelCatalog([TestModels.Small with { BatchDiscount = 1m }])).Message);
        Assert.Contains("at least one domain", Assert.Throws<ArgumentException>(() => new ModelCatalog([TestModels.Math with { Domains = [] }])).Message);
    }

    [Fact]
    public void Rejects_duplicate_ids()
    {
        // Proves two entries differing only in case cannot both be registered.
        var error = Assert.Throws<ArgumentException>(() => new ModelCatalog([TestModels.Small, TestModels.Small with { Id = "QWEN-SMALL" }]));
        Assert.Contains("registered twice", error.Message);
    }

    [Fact]
    public void Policy_validation_names_unknown_models_and_bad_shares()
    {
        // Proves a policy pointing at unknown models or an out-of-range canary share is refused with the culprit named.
        var catalog = TestModels.Catalog();
        Assert.Contains("'nope'", Assert.Throws<ArgumentException>(() => (TestModels.Policy() with { LargeModelId = "nope" }).Validate(catalog)).Message);
        Assert.Contains("domain rule 'law'", Assert.Throws<ArgumentException>(() => (TestModels.Policy() with { DomainRules = [new("law", "farui")] }).Validate(catalog)).Message);
        Assert.Contains("share", Assert.Throws<ArgumentException>(() => (TestModels.Policy() with { Canary = new("qwen-large-next", "qwen-large", 1.5) }).Validate(catalog)).Message);
        Assert.Contains("threshold", Assert.Throws<ArgumentException>(() => (TestModels.Policy() with { ComplexityThreshold = 2 }).Validate(catalog)).Message);
        TestModels.Policy().Validate(catalog);
    }
}
