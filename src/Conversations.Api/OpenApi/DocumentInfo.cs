using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Conversations.Api.OpenApi;

/// <summary>The document's title, licence, servers and tag descriptions: what linters and generated clients read first.</summary>
internal static class DocumentInfo
{
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Tenants"] = "Operator only: open tenants and issue their first admin keys.",
        ["Tenant administration"] = "A tenant admin's users, instructions and settings.",
        ["Keys"] = "API keys: issue, list (never the secret) and revoke.",
        ["Conversations"] = "A user's conversations, the streamed chat turn, its resume and cancel.",
        ["Knowledge base"] = "Documents a tenant's answers are grounded in, and search over them.",
        ["Knowledge access control"] = "Which labels may read which documents.",
        ["Memory"] = "What the assistant remembers about the caller, and forgetting it.",
        ["Moderation"] = "Lexicons, moderation settings, rate limits and moderation events.",
        ["Images"] = "Images for messages: uploads, checked by their content and stored for their owner.",
        ["Model routing"] = "A tenant's models, routing policy, canary and model health.",
        ["Evaluation"] = "Evaluation sets of questions with the facts and sources an answer needs, their runs through the chat pipeline, and the stored scores the canary promotion gate compares.",
        ["Usage and cost"] = "Tokens and cost per tenant, user, model and kind of call.",
        ["Feedback"] = "Ratings of answers, which also decide canary rollouts.",
        ["Drift"] = "Whether a tenant's questions and answers still look like its reference window: thresholds, checks and drift events.",
        ["Offline batches"] = "Many questions answered in the background, through the same stages as chat.",
        ["Capacity"] = "How many more turns the platform can take now.",
        ["Encryption at rest"] = "Operator only: master key rotation and destroying a tenant's data key (crypto-shredding).",
        ["OpenAI-compatible"] = "Chat completions and models in OpenAI's wire format, over the same turn as the native route.",
        ["Audit"] = "The append-only audit log: who changed what, when and from where (secrets never shown).",
        ["Data rights"] = "Exports of a tenant or one user as a zip archive, with progress.",
    };

    /// <summary>Document transformer: fills in what the framework leaves empty.</summary>
    public static Task ApplyAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info.Title = "Conversations API";
        document.Info.Description = "A multi-tenant chat assistant grounded in each tenant's knowledge base. Authenticate with 'Authorization: Bearer cvk_…'.";
        document.Info.License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" };
        // The framework names the request's own address with a trailing slash; paths already start with '/'.
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            if (tag.Name is { } name && tag.Description is null && TagDescriptions.TryGetValue(name, out var description)) tag.Description = description;
        return Task.CompletedTask;
    }
}
