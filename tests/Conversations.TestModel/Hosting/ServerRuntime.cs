using System.Collections.Concurrent;

namespace Conversations.TestModel.Hosting;

/// <summary>Everything the endpoints share: settings, live behaviour, prompt caches, log and counters.</summary>
internal sealed class ServerRuntime
{
    private readonly ConcurrentDictionary<string, PromptPrefixCache> caches = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();

    public ServerRuntime(TestModelOptions options)
    {
        Options = options;
        Control = new TestModelControl(options.Default, options.Models);
        Log = new RequestLog(options.RequestLogCapacity);
        Encoder = options.TokenCounting == TokenCounting.O200k ? new O200kTokenEncoder() : new ApproximateTokenEncoder();
        Control.Resetting += () =>
        {
            caches.Clear();
            Log.Clear();
            Counters.Clear();
        };
    }

    public TestModelOptions Options { get; }

    public TestModelControl Control { get; }

    public RequestLog Log { get; }

    /// <summary>The texts embedding requests asked for, oldest first (the last <see cref="TestModelOptions.DefaultRequestLogCapacity"/>).</summary>
    public ConcurrentQueue<string> EmbeddingInputs { get; } = new();

    public TestModelCounters Counters { get; } = new();

    public ITokenEncoder Encoder { get; }

    /// <summary>Cancelled when the server stops, so held connections (timeouts, stalls) end at once.</summary>
    public CancellationToken Stopping => stopping.Token;

    /// <summary>The prompt cache of one model name.</summary>
    public PromptPrefixCache CacheFor(string model) =>
        caches.GetOrAdd(model, static (_, options) => new PromptPrefixCache(options), Options.PromptCache);

    public void Stop() => stopping.Cancel();
}
