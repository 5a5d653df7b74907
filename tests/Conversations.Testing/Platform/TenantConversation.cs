namespace Conversations.Testing.Platform;

/// <summary>A test's tenant with a conversation of its user "alice": taken apart as (user, id) or (admin, user, id).</summary>
/// <param name="Admin">The tenant admin.</param>
/// <param name="User">The user "alice".</param>
/// <param name="Id">The id of alice's new conversation.</param>
public sealed record TenantConversation(ApiClient Admin, ApiClient User, string Id)
{
    /// <summary>The user and the conversation, for tests that need no admin.</summary>
    public void Deconstruct(out ApiClient user, out string id) => (user, id) = (User, Id);
}
