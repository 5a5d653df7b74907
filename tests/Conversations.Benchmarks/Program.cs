using System.Reflection;

namespace Conversations.Benchmarks;

/// <summary>One benchmark suite: a name on the command line, a full run and a small smoke run that tests call.</summary>
public interface IBenchmarkSuite
{
    /// <summary>The name used on the command line, e.g. "moderation".</summary>
    string Name { get; }

    /// <summary>What the suite measures, one line.</summary>
    string Description { get; }

    /// <summary>Runs the suite; <paramref name="smoke"/> asks for a tiny, fast run that only proves it works.</summary>
    Task<int> RunAsync(string[] args, bool smoke, TextWriter output);
}

/// <summary>Entry point: <c>dotnet run -c Release --project tests/Conversations.Benchmarks -- SUITE [--smoke] [suite options]</c>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var suites = DiscoverSuites();
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("usage: Conversations.Benchmarks SUITE [--smoke] [options]");
            foreach (var s in suites.Values.OrderBy(s => s.Name))
                Console.WriteLine($"  {s.Name,-14} {s.Description}");
            return args.Length == 0 ? 1 : 0;
        }
        if (!suites.TryGetValue(args[0], out var suite))
        {
            Console.Error.WriteLine($"unknown suite '{args[0]}'; known: {string.Join(", ", suites.Keys.Order())}");
            return 2;
        }
        var rest = args.Skip(1).ToArray();
        var smoke = rest.Contains("--smoke");
        return await suite.RunAsync(rest.Where(a => a != "--smoke").ToArray(), smoke, Console.Out);
    }

    /// <summary>All suites in this assembly, by name.</summary>
    public static Dictionary<string, IBenchmarkSuite> DiscoverSuites() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBenchmarkSuite).IsAssignableFrom(t))
            .Select(t => (IBenchmarkSuite)Activator.CreateInstance(t)!)
            .ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
}
