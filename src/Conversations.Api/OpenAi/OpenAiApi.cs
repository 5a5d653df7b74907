using Conversations.Api.Auth;
using Conversations.Api.Chat;
using Conversations.Api.Errors;
using Conversations.Api.Images;
using Conversations.Api.Moderation;
using Conversations.Api.OpenApi;
using Conversations.Api.Streaming;
using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Images;
using Conversations.Contracts.Routing;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Conversations.Api.OpenAi;

/// <summary>
/// The OpenAI-compatible front door: <c>POST /v1/chat/completions</c> and <c>GET /v1/models</c>, with the platform's
/// keys and roles. A completion is a turn of the conversation grain, the same turn the native route runs (moderation,
/// retrieval under the caller's access, routing, budget, usage, history); only the wire format differs.
/// </summary>
internal static class OpenAiApi
{
    /// <summary>Names the conversation a completion continues; answered on every completion with the conversation it ran in.</summary>
    public const string ConversationHeader = "X-Conversation-Id";

    // HttpContext.Items key: the model the filter resolved (null is the platform's choice).
    private const string ResolvedModelItem = "openai.resolved-model";

    /// <summary>Writes the OpenAI routes' errors in OpenAI's shape (ahead of the other problem writers).</summary>
    public static IServiceCollection AddOpenAiApi(this IServiceCollection services)
    {
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, OpenAiErrorWriter>());
        return services;
    }

    /// <summary>Maps <c>/v1/chat/completions</c> and <c>/v1/models</c>.</summary>
    public static RouteGroupBuilder MapOpenAiApi(this RouteGroupBuilder v1)
    {
        var models = v1.MapGroup("/models").WithTags("OpenAI-compatible").RequireRoles(Roles.User, Roles.TenantAdmin).AddEndpointFilter(WithRequestId);
        models.MapGet("/", ListModels).WithName("OpenAiListModels").WithSummary("The model names the caller's tenant may use (OpenAI's list shape).")
            .Produces<ModelList>().ProducesOpenAiAnswers(false, 400, 401, 403, 429, 500, 503);
        models.MapGet("/{model}", GetModel).WithName("OpenAiGetModel").WithSummary("One model name the caller's tenant may use, or 404 model_not_found.")
            .Produces<ModelObject>().ProducesOpenAiAnswers(false, 400, 401, 403, 404, 429, 500, 503);

        var chat = v1.MapGroup("/chat").WithTags("OpenAI-compatible").RequireRoles(Roles.User, Roles.TenantAdmin).AddEndpointFilter(WithRequestId);
        var images = ((IEndpointRouteBuilder)v1).ServiceProvider.GetRequiredService<IMessageImages>();
        chat.MapPost("/completions", Complete).WithName("OpenAiChatCompletion")
            // Room for the images a question may carry as base64 data URLs.
            .WithMetadata(new RequestSizeLimitAttribute(images.MaxImagesPerMessage * (images.MaxImageBytes * 4L / 3 + 1024) + (1L << 20)))
            .WithSummary("A chat turn in OpenAI's chat completions format, streaming (Server-Sent Events) or not; X-Conversation-Id continues a conversation.")
            .Produces<ChatCompletion>(200).ProducesOpenAiAnswers(true, 400, 401, 403, 404, 409, 410, 413, 415, 422, 429, 500, 503);
        // Checked like a native message, then counted against the same rate limits (429 with Retry-After).
        chat.CheckBodies<ChatCompletionRequest>(CompletionRequestCheck.Check)
            // A misspelt model name or a malformed header is the caller's 4xx before the request counts: a client must
            // not spend its requests a minute on names the tenant does not have.
            .AddEndpointFilter(async (context, next) =>
            {
                if (context.Arguments.OfType<ChatCompletionRequest>().FirstOrDefault() is not { } body) return await next(context);
                // The SDKs retry 409, 429 and 5xx (x-should-retry says which are worth it): with the same Idempotency-Key,
                // sent as a header by the client (the SDKs send none of their own), a retry is the same turn.
                if (ConversationsApi.IdempotencyKeyProblem(context.HttpContext) is { } badKey)
                    return CompletionRequestCheck.Invalid(badKey, ConversationsApi.IdempotencyKeyHeader);
                var resolved = await ModelNames.ResolveAsync(context.HttpContext.RequestServices.GetRequiredService<IGrainFactory>(),
                    context.HttpContext.Caller().TenantId!, body.Model);
                if (!resolved.Known) return ModelNotFound(body.Model!);
                // The handler uses this answer: one routing-config read a completion.
                context.HttpContext.Items[ResolvedModelItem] = resolved.Requested;
                return await next(context);
            })
            .RequireRateLimit<ChatCompletionRequest>(CompletionRequestCheck.Question);
        return v1;
    }

    // The SDKs expose x-request-id as every response's request id (`_request_id`), an answer's as much as an error's.
    private static ValueTask<object?> WithRequestId(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers["x-request-id"] = OpenAiErrorWriter.RequestId(context.HttpContext);
        return next(context);
    }

    private static async Task<IResult> ListModels(HttpContext http, IGrainFactory grains)
    {
        var tenantId = http.Caller().ToCaller().TenantId;
        var registered = await ModelNames.RegisteredAsync(grains, tenantId);
        var list = ModelNames.Builtin.Select(id => new ModelObject(id, 0, ModelNames.PlatformOwner))
            .Concat(registered.Select(id => new ModelObject(id, 0, tenantId))).ToList();
        return TypedResults.Json(new ModelList(list), OpenAiJson.Options);
    }

    private static async Task<IResult> GetModel(string model, HttpContext http, IGrainFactory grains)
    {
        var tenantId = http.Caller().ToCaller().TenantId;
        var (known, requested) = await ModelNames.ResolveAsync(grains, tenantId, model);
        if (!known) return ModelNotFound(model);
        var id = requested ?? ModelNames.Auto;
        return TypedResults.Json(new ModelObject(id, 0, ModelNames.IsBuiltin(id) ? ModelNames.PlatformOwner : tenantId), OpenAiJson.Options);
    }

    // The group's filters have checked the body and admitted it against the rate limits.
    private static async Task<IResult> Complete(ChatCompletionRequest body, HttpContext http, IGrainFactory grains, IMessageImages images,
        IOptions<ChatApiOptions> chatOptions, IOptions<ClusterOptions> cluster, ITenantDirectory tenants)
    {
        // The platform's own model call: a tenant model registered at this very route would call itself without end.
        // (Hashed only when the header came: no client but the platform sends it.)
        if (http.Request.Headers.TryGetValue(ModelCallOrigin.Header, out var origin)
            && origin == ModelCallOrigin.For(cluster.Value.ServiceId, cluster.Value.ClusterId))
            return CompletionRequestCheck.Invalid("This request is this platform's own model call: a model registered at the platform's own API would call itself. Register the model's provider instead.", "model", "model_loop");
        var caller = http.Caller().ToCaller();
        // The group's filter checked the Idempotency-Key and resolved the model name.
        var idempotencyKey = http.Request.Headers[ConversationsApi.IdempotencyKeyHeader].FirstOrDefault();
        var requested = (string?)http.Items[ResolvedModelItem];

        // Images first: a refused image is a 4xx before any conversation is created. A retry of a turn that ran keeps
        // the images stored the first time: nothing is fetched or stored again.
        var urls = CompletionRequestCheck.ImageUrls(body);
        // A conversation named by the header is checked before images are fetched or stored: sent with a wrong or
        // foreign id, they would be stored for nothing, against the tenant's image quota.
        if (urls.Count > 0 && http.Request.Headers[ConversationHeader].Count > 0 && !await NamedConversationIsOwnAsync(http, grains, caller))
            return ConversationNotFound();
        var retried = urls.Count > 0 && idempotencyKey is not null && await IsKnownTurnAsync(http, grains, caller, idempotencyKey);
        IReadOnlyList<string>? imageIds = null;
        try
        {
            if (!retried) imageIds = await StoreImagesAsync(images, caller, urls, http.RequestAborted);
        }
        catch (ImageRejectedException rejected)
        {
            return ImageProblem(rejected, CompletionRequestCheck.QuestionParam(body));
        }
        var (grain, conversationId) = await ConversationAsync(http, grains, caller, idempotencyKey);
        if (grain is null) return ConversationNotFound();
        http.Response.Headers[ConversationHeader] = conversationId;

        // Earlier messages of the request are not replayed: the conversation's stored history is the context.
        var turnId = idempotencyKey ?? Guid.NewGuid().ToString("n");
        // Batches of events, one grain round trip each, read as plain events.
        var sent = new SendMessage(caller, CompletionRequestCheck.Question(body), turnId, requested, imageIds, MessageImageRefs.Digest(urls, null),
            body.MaxCompletionTokens ?? body.MaxTokens);
        http.Response.Headers[ConversationsApi.TurnIdHeader] = turnId;
        // A keyed request said it may come back (the SDKs resend a timed-out request with the same headers): its turn
        // runs on for the retry to join, instead of being stopped and replayed cut short as if complete.
        if (idempotencyKey is null) StopWhenAbandoned(http, grain, caller, turnId);
        var replay = new ReplayedTurn();
        var events = replay.Watch(grain.SendTurnAsync(sent, http.RequestAborted)).AsChatEvents();
        // A stream starts at the first token or after one heartbeat interval, whichever comes first: a slow model's
        // silence would otherwise hold even the status line back, and idle-timeout proxies cut such connections.
        if (body.Stream == true)
            events = events.WithHeartbeats(TimeSpan.FromSeconds(chatOptions.Value.HeartbeatSeconds), () => CompletionEvents.Beat, http.RequestAborted);
        var turn = await CompletionEvents.StartAsync(events, http.RequestAborted);
        // A turn cut off because its tenant, data or conversation is gone ends as the chat's stream does, for good.
        var gone = TurnGone.Of(grain, caller, tenants);
        if (turn.First is ErrorEvent error && !turn.Refused)
        {
            await turn.DrainAsync();
            await turn.DisposeAsync();
            return TurnErrors.Problem(http, await TurnGone.FinalAsync(error, gone), replay.Finished);
        }
        var header = new CompletionHeader(CompletionId(caller, conversationId, turnId), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body.Model ?? ModelNames.Auto);
        return body.Stream == true
            ? new CompletionStreamResult(turn, header, body.StreamOptions?.IncludeUsage == true, gone)
            : await CompletionResult.ReadAsync(http, turn, header, gone);
    }

    // OpenAI stops generating when its caller hangs up, and its clients cannot resume: an answer nobody reads would run
    // on, billed in full, and hold the conversation (409 turn_in_progress) until it ended. The native chat route keeps
    // its turn running instead, for the client that comes back with Last-Event-ID; so does a request with an
    // Idempotency-Key, for the retry under that key (the turn's unwatched timer ends it if none comes).
    private static void StopWhenAbandoned(HttpContext http, IConversationGrain grain, Caller caller, string turnId)
    {
        http.Response.RegisterForDispose(http.RequestAborted.Register(() => _ = StopAsync()));

        async Task StopAsync()
        {
            try { await grain.CancelTurnAsync(caller, turnId); }
            catch (Exception) { /* the turn's own unwatched timer still ends it */ }
        }
    }

    private static async Task<bool> NamedConversationIsOwnAsync(HttpContext http, IGrainFactory grains, Caller caller)
    {
        var named = http.Request.Headers[ConversationHeader].ToString();
        return Ids.IsId(named) && await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, named)).IsOwnedByAsync(caller);
    }

    // The conversation the header names (the caller's own), or a new one-off conversation; null when the header names none of theirs.
    // A one-off request that carries an Idempotency-Key gets a conversation id derived from the caller and the key, so
    // its retry finds the same conversation, and there the same turn.
    private static async Task<(IConversationGrain? Grain, string Id)> ConversationAsync(HttpContext http, IGrainFactory grains, Caller caller, string? idempotencyKey)
    {
        var named = http.Request.Headers[ConversationHeader].ToString();
        if (named.Length > 0)
        {
            if (!Ids.IsId(named)) return (null, named);
            var existing = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, named));
            return (await existing.IsOwnedByAsync(caller) ? existing : null, named);
        }
        var id = idempotencyKey is null ? Ids.NewConversationId() : OneOffConversationId(caller, idempotencyKey);
        var grain = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, id));
        await grain.CreateAsync(caller, ConversationTitles.OneOff);
        return (grain, id);
    }

    // Whether the conversation the request continues (named, or the one-off one its key names) already knows the turn.
    private static async Task<bool> IsKnownTurnAsync(HttpContext http, IGrainFactory grains, Caller caller, string idempotencyKey)
    {
        var named = http.Request.Headers[ConversationHeader].ToString();
        if (named.Length > 0 && !Ids.IsId(named)) return false;
        var id = named.Length > 0 ? named : OneOffConversationId(caller, idempotencyKey);
        return await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, id)).GetTurnStateAsync(caller, idempotencyKey) != TurnState.Unknown;
    }

    // A data URL is an upload; an http(s) URL is fetched under the image fetch policy. Each is stored as the caller's image.
    private static async Task<IReadOnlyList<string>?> StoreImagesAsync(IMessageImages images, Caller caller, IReadOnlyList<string> urls, CancellationToken ct)
    {
        if (urls.Count == 0) return null;
        var ids = new List<string>();
        foreach (var url in urls)
        {
            var stored = url.StartsWith("data:", StringComparison.Ordinal)
                ? await images.UploadAsync(caller.TenantId, caller.UserId, DataUrl(url, images.MaxImageBytes, out var type), type, ct)
                : await images.FetchAsync(caller.TenantId, caller.UserId, url, ct);
            ids.Add(stored.ImageId);
        }
        return ids;
    }

    // data:[<type>][;base64],<data>; only base64 images are images.
    private static byte[] DataUrl(string url, int maxBytes, out string? type)
    {
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        var header = comma < 0 ? "" : url[5..comma];
        if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            throw new ImageRejectedException("image_url", "An image data URL must be base64: data:image/png;base64,….", 400);
        type = header[..^";base64".Length];
        if ((url.Length - comma - 1) / 4 * 3 > maxBytes + 2)
            throw new ImageRejectedException("image_too_large", $"An image in the request is larger than the limit of {maxBytes:N0} bytes.", 413);
        try
        {
            return Convert.FromBase64String(url[(comma + 1)..]);
        }
        catch (FormatException)
        {
            throw new ImageRejectedException("image_url", "An image data URL does not hold valid base64.", 400);
        }
    }

    private static string OneOffConversationId(Caller caller, string idempotencyKey) => CallerScoped("c_", caller, idempotencyKey, 20);

    // A turn id is the caller's within one conversation: the same key in another conversation is another completion.
    private static string CompletionId(Caller caller, string conversationId, string turnId) => CallerScoped("chatcmpl-", caller, $"{conversationId}\n{turnId}", 24);

    private static string CallerScoped(string prefix, Caller caller, string key, int hexChars) => Ids.CallerScoped(prefix, caller.TenantId, caller.UserId, key, hexChars);

    // OpenAI answers an unusable image with a 400 naming the message: a URL that is no image URL is invalid_image_url,
    // bytes of another type (or not a whole image) invalid_image_format; a refused or too large image keeps the platform's status and code.
    private static ProblemHttpResult ImageProblem(ImageRejectedException rejected, string param)
    {
        var (status, code) = rejected.Code switch
        {
            "image_url" => (400, "invalid_image_url"),
            "image_type" or ImageRejectedException.InvalidCode => (400, "invalid_image_format"),
            _ => (rejected.Status, rejected.Code),
        };
        return TypedResults.Problem(rejected.Message, statusCode: status, title: "The image was not accepted",
            extensions: new Dictionary<string, object?> { ["param"] = param, ["code"] = code });
    }

    private static ProblemHttpResult ModelNotFound(string model) => TypedResults.Problem(
        $"The model `{(model.Length > 100 ? model[..100] + "…" : model)}` does not exist or you do not have access to it. GET /v1/models lists the names you may use.",
        statusCode: 404, title: "Model not found", extensions: new Dictionary<string, object?> { ["code"] = "model_not_found", ["param"] = "model" });

    private static ProblemHttpResult ConversationNotFound() => TypedResults.Problem(
        $"The conversation named by {ConversationHeader} was not found. Check the id; you can only continue your own conversations, or leave the header out to start a new one.",
        statusCode: 404, title: "Not found", extensions: new Dictionary<string, object?> { ["code"] = "conversation_not_found" });
}
