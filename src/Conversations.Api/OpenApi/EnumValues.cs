using System.Reflection;
using Conversations.Api.Batches;
using Conversations.Api.Feedback;
using Conversations.Api.Me;
using Conversations.Api.Tenancy;
using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Knowledge;
using Conversations.Contracts.Routing;

namespace Conversations.Api.OpenApi;

/// <summary>
/// The closed sets of string values the API sends and accepts, described as OpenAPI enums. The wire stays plain strings;
/// the sets come from the constants the code uses where there are such constants.
/// </summary>
internal static class EnumValues
{
    /// <summary>Statuses of a stored message.</summary>
    public static readonly IReadOnlyList<string> MessageStatuses = [.. Constants(typeof(MessageStatus)).Append("stopped").Distinct()];

    /// <summary>Who wrote a stored message.</summary>
    public static readonly IReadOnlyList<string> MessageRoles = ["user", "assistant"];

    /// <summary>Roles a user of a tenant may hold.</summary>
    public static readonly IReadOnlyList<string> TenantRoles = [Roles.User, Roles.TenantAdmin];

    /// <summary>Roles an API key may carry.</summary>
    public static readonly IReadOnlyList<string> KeyRoles = [Roles.User, Roles.TenantAdmin, Roles.Operator];

    /// <summary>What a key may do within its role.</summary>
    public static readonly IReadOnlyList<string> KeyScopeValues = [KeyScopes.Admin, KeyScopes.Chat, KeyScopes.ReadOnly, KeyScopes.Operator];

    /// <summary>A rating of an answer.</summary>
    public static readonly IReadOnlyList<string> Ratings = ["up", "down"];

    /// <summary>What ingestion did with a document.</summary>
    public static readonly IReadOnlyList<string> IngestOutcomes = Constants(typeof(IngestStatus));

    /// <summary>Progress of an offline batch.</summary>
    public static readonly IReadOnlyList<string> BatchStatuses = ["queued", "running", "completed"];

    /// <summary>Outcome of one prompt of a batch.</summary>
    public static readonly IReadOnlyList<string> BatchItemOutcomes = ["pending", "succeeded", "failed"];

    private static readonly Dictionary<(Type, string), IReadOnlyList<string>> ByProperty = new()
    {
        [(typeof(MessageInfo), "status")] = MessageStatuses,
        [(typeof(MessageInfo), "role")] = MessageRoles,
        [(typeof(FeedbackBody), "rating")] = Ratings,
        [(typeof(FeedbackDto), "rating")] = Ratings,
        [(typeof(CreateUserRequest), "role")] = TenantRoles,
        [(typeof(UserDto), "role")] = TenantRoles,
        [(typeof(IssuedKeyDto), "role")] = TenantRoles,
        [(typeof(IssuedKeyDto), "scope")] = KeyScopeValues,
        [(typeof(MeDto), "scope")] = KeyScopeValues,
        [(typeof(ApiKeyDto), "role")] = KeyRoles,
        [(typeof(DocumentIngestResult), "status")] = IngestOutcomes,
        [(typeof(BatchJobView), "status")] = BatchStatuses,
        [(typeof(BatchItemDto), "status")] = BatchItemOutcomes,
    };

    /// <summary>The values of the JSON property <paramref name="name"/> of <paramref name="type"/>, or null for free text.</summary>
    public static IReadOnlyList<string>? For(Type type, string name) => ByProperty.GetValueOrDefault((type, name));

    private static string[] Constants(Type holder) =>
        [.. holder.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!)];
}
