using Conversations.Grains.Batches;
using Conversations.Grains.Budget;
using Conversations.Grains.Canary;
using Conversations.Grains.Health;
using Conversations.Routing;
using Orleans.Serialization;
using Orleans.Serialization.Configuration;

namespace Conversations.Grains.Routing;

/// <summary>
/// The .NET types that stored routing state names, as the grain storage reads them back. It keeps state as JSON that
/// names each object's type, and Orleans reads back only types it knows and allows: the routing library's ledger,
/// breaker and tally records (no serializer of their own) are allowed here, and the budget, canary, health and batch
/// states resolve also by the names they had in <c>Conversations.Grains.Routing</c> (rows written then name that
/// namespace until their next write).
/// </summary>
internal sealed class StoredStateTypes : ITypeConverter
{
    private const string Assembly = "Conversations.Grains";

    /// <summary>The moved state types by their earlier full name.</summary>
    public static IReadOnlyDictionary<string, Type> ByEarlierName { get; } =
        new[] { typeof(BudgetGrainState), typeof(CanaryGrainState), typeof(ModelHealthGrainState), typeof(BatchJobState) }
            .ToDictionary(t => "Conversations.Grains.Routing." + t.Name, StringComparer.Ordinal);

    /// <summary>Allows the routing library's types and the earlier names.</summary>
    public static void Allow(TypeManifestOptions options)
    {
        options.AddAllowedAssembly(typeof(BudgetLedgerState).Assembly);
        foreach (var name in ByEarlierName.Keys) options.AllowedTypes.Add(name);
    }

    /// <inheritdoc />
    public bool TryFormat(Type type, out string formatted)
    {
        formatted = null!;
        return false; // state is written under its current name
    }

    /// <inheritdoc />
    public bool TryParse(string formatted, out Type type)
    {
        var comma = formatted.IndexOf(',', StringComparison.Ordinal);
        var name = (comma < 0 ? formatted : formatted[..comma]).Trim();
        var assembly = comma < 0 ? Assembly : formatted[(comma + 1)..].Trim();
        if (assembly == Assembly && ByEarlierName.TryGetValue(name, out var moved))
        {
            type = moved;
            return true;
        }
        type = null!;
        return false;
    }
}
