namespace Conversations.Testing.Platform;

/// <summary>Where the repository and the build output are.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding Conversations.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conversations.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Conversations.sln not found above the test folder.");
    }
}
