using Microsoft.Extensions.Logging;

namespace Conversations.Grains.Chat.Turn;

/// <summary>The turn's log lines; ids and codes only, never message text.</summary>
internal static partial class ChatLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Folded {Messages} messages of {TenantId}/{ConversationId} into a {Tokens}-token summary")]
    public static partial void Folded(ILogger logger, string tenantId, string conversationId, int messages, int tokens);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not settle an abandoned turn of {TenantId}/{ConversationId}")]
    public static partial void SettleFailed(ILogger logger, string tenantId, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not charge a stopped turn of {TenantId}/{ConversationId} against the token limits")]
    public static partial void ChargeFailed(ILogger logger, string tenantId, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write {Rows} usage rows of {TenantId}/{ConversationId}")]
    public static partial void UsageLost(ILogger logger, string tenantId, string conversationId, int rows, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory could not learn from a question of {TenantId}/{ConversationId}")]
    public static partial void RememberFailed(ILogger logger, string tenantId, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory could not forget a replaced question in {TenantId}/{ConversationId}")]
    public static partial void ForgetFailed(ILogger logger, string tenantId, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A one-off conversation could not be titled by its question in {TenantId}/{ConversationId}")]
    public static partial void RetitleFailed(ILogger logger, string tenantId, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model failed in {TenantId}/{ConversationId}: {Code} {Reason}")]
    public static partial void ModelFailure(ILogger logger, string tenantId, string conversationId, string code, string reason);
}
