using System.Text.RegularExpressions;
using Conversations.Grains.Batches;
using Conversations.Grains.Budget;
using Conversations.Grains.Canary;
using Conversations.Grains.Health;
using Conversations.Routing.Canary;
using Conversations.Routing.Cost;
using Conversations.Routing.Health;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Configuration;

namespace Conversations.Grains.Routing;

/// <summary>
/// The .NET types that stored routing state names, as the grain storage reads them back. It keeps state as JSON that
/// names each object's type, and Orleans reads back only types it knows and allows: the routing library's ledger,
/// breaker and tally records (no serializer of their own) are allowed here, and types that moved resolve also by the
/// names they had before: the budget, canary, health and batch states in <c>Conversations.Grains.Routing</c>, and the
/// routing library's records in the single <c>Conversations.Routing</c> namespace (rows written then name them until
/// their next write, also inside array and generic names).
/// </summary>
internal sealed class StoredStateTypes : ITypeConverter
{
    /// <summary>The moved types by their earlier full name.</summary>
    public static IReadOnlyDictionary<string, Type> ByEarlierName { get; } =
        new[] { typeof(BudgetGrainState), typeof(CanaryGrainState), typeof(ModelHealthGrainState), typeof(BatchJobState) }
            .Select(t => KeyValuePair.Create("Conversations.Grains.Routing." + t.Name, t))
            .Concat(new[]
                {
                    typeof(BudgetLedgerState), typeof(BudgetReservation), typeof(CanaryArmTally), typeof(ModelHealthState),
                    typeof(HealthBucket), typeof(LatencySample), typeof(CredentialFailure),
                }
                .Select(t => KeyValuePair.Create("Conversations.Routing." + t.Name, t)))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    // A full name that may be an earlier one; the current names have one more namespace part, so they never match whole.
    private static readonly Regex EarlierName = new(@"Conversations\.(?:Grains\.)?Routing\.\w+", RegexOptions.CultureInvariant);

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
        if (ByEarlierName.TryGetValue(name, out var moved) && (comma < 0 || formatted[(comma + 1)..].Trim() == moved.Assembly.GetName().Name))
        {
            type = moved;
            return true;
        }

        // An array or generic type whose parts name moved types: rename the parts, then load the whole.
        var renamed = EarlierName.Replace(formatted, m => ByEarlierName.TryGetValue(m.Value, out var t) ? t.FullName! : m.Value);
        type = renamed == formatted ? null! : Type.GetType(renamed, throwOnError: false)!;
        return type is not null;
    }
}

/// <summary>Registration of <see cref="StoredStateTypes"/>.</summary>
public static class StoredStateTypesServiceCollectionExtensions
{
    /// <summary>
    /// Stored state reads back after a restart: routing library types inside it (canary tallies, drift settings, budget
    /// ledgers), and names from before the folder split. With the grain storage: every silo hosts these grains.
    /// </summary>
    public static IServiceCollection AddStoredStateTypes(this IServiceCollection services)
    {
        services.AddSingleton<ITypeConverter, StoredStateTypes>();
        return services.Configure<TypeManifestOptions>(StoredStateTypes.Allow);
    }
}
