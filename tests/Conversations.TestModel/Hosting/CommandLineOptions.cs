namespace Conversations.TestModel.Hosting;

/// <summary>Reads <see cref="TestModelOptions"/> from the program's command line.</summary>
internal static class CommandLineOptions
{
    /// <summary>
    /// Keys: urls, api-key, ttft-ms, token-ms, answer-tokens, cache-min-tokens, cache-block-tokens,
    /// tokens (o200k|approximate), embedding-dimensions, log-capacity.
    /// </summary>
    public static TestModelOptions Read(IConfiguration settings)
    {
        var defaults = new TestModelOptions();
        var behavior = new ModelBehavior
        {
            TimeToFirstToken = TimeSpan.FromMilliseconds(Number(settings, "ttft-ms", 0)),
            TimePerToken = TimeSpan.FromMilliseconds(Number(settings, "token-ms", 0)),
            AnswerTokens = (int)Number(settings, "answer-tokens", ModelBehavior.DefaultAnswerTokens),
        };
        return defaults with
        {
            Url = settings["urls"]?.Split(';')[0] ?? "http://127.0.0.1:5099",
            ApiKey = settings["api-key"],
            Default = behavior,
            PromptCache = defaults.PromptCache with
            {
                MinimumTokens = (int)Number(settings, "cache-min-tokens", PromptCacheOptions.DefaultMinimumTokens),
                BlockTokens = (int)Number(settings, "cache-block-tokens", PromptCacheOptions.DefaultBlockTokens),
            },
            TokenCounting = string.Equals(settings["tokens"], "approximate", StringComparison.OrdinalIgnoreCase)
                ? TokenCounting.Approximate
                : TokenCounting.O200k,
            EmbeddingDimensions = (int)Number(settings, "embedding-dimensions", TestModelOptions.DefaultEmbeddingDimensions),
            RequestLogCapacity = (int)Number(settings, "log-capacity", TestModelOptions.DefaultRequestLogCapacity),
        };
    }

    private static double Number(IConfiguration settings, string key, double fallback) =>
        settings[key] is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
