namespace Conversations.Routing.Policy;

/// <summary>What happens to a turn once the tenant's monthly budget is used up.</summary>
public enum BudgetLimitAction
{
    /// <summary>Keep answering, but only with the small model (and the extractive responder).</summary>
    DowngradeToSmall = 0,

    /// <summary>Refuse model calls with a clear message until the budget is raised or the month ends.</summary>
    Refuse = 1,
}
