using System.Collections.Concurrent;
using Conversations.Contracts.Routing;
using Conversations.Models.Chat;
using Conversations.Models.Extractive;
using Conversations.Routing.Endpoints;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Conversations.Grains.Routing;

/// <summary>
/// One chat client per endpoint, model name and key, shared by every turn and tenant that uses them (clients pool
/// connections). Every call goes through one HTTP client whose connections the <see cref="EndpointPolicy"/> checks,
/// because tenants choose these endpoints.
/// </summary>
internal sealed class ChatModelPool(IOptions<ChatModelOptions> chat, EndpointPolicy endpoints, IOptions<ClusterOptions> cluster) : IDisposable
{
    private readonly ConcurrentDictionary<(string Endpoint, string Model, string Key, bool CacheKey), IChatModel> _models = new();
    // The SDK's pipeline enforces the network timeout per call, so the client itself never times out. Every call carries
    // the cluster's origin (a model registered at the platform's own route is then refused there) and is bounded.
    private readonly Lazy<HttpClient> _http = new(() => new HttpClient(new OriginHandler(new ModelResponseLimits(endpoints.CreateHandler()),
        ModelCallOrigin.For(cluster.Value.ServiceId, cluster.Value.ClusterId))) { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>The extractive responder, the last tier of every chain.</summary>
    public IChatModel Extractive { get; } = new ExtractiveResponder();

    /// <summary>The client for a registered model.</summary>
    public IChatModel Get(ModelRegistration model) =>
        // A registration's own prompt_cache_key switch wins over the deployment's (Models:Chat:SendPromptCacheKey).
        _models.GetOrAdd((model.Endpoint.TrimEnd('/'), model.ModelName, model.ApiKey ?? "", model.SendPromptCacheKey ?? chat.Value.SendPromptCacheKey), k =>
        {
            var o = chat.Value;
            // The turn's own first-token and stall timeouts end a hung call; the network timeout only bounds a whole answer.
            return OpenAiStreamingChatModel.Create(k.Endpoint, k.Model, k.Key, o.FirstTokenTimeout + o.StallTimeout + TimeSpan.FromMinutes(5), k.CacheKey,
                _http.Value, o.StreamWithSemanticKernel);
        });

    // Adds the origin header to each request.
    private sealed class OriginHandler(HttpMessageHandler inner, string origin) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation(ModelCallOrigin.Header, origin);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_http.IsValueCreated) _http.Value.Dispose();
    }
}
