using Conversations.Testing.Platform;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Conversations.IntegrationTests.Unit;

/// <summary>Rules of the source tree under src/ that a reader relies on: short methods, namespaces that say where a file is.</summary>
public sealed class SourceRulesTests
{
    private const int MaxMethodLines = 80;

    // A long method passes only as an algorithm written as numbered steps: comments "// 1. ...", "// 2. ...", "// 3. ...".
    private static readonly Regex NumberedStep = new(@"^\s*//\s*(\d+)\.\s", RegexOptions.Multiline);

    [Fact(DisplayName = "No method, local function or lambda in src/ is over 80 lines, except an algorithm written as numbered steps")]
    public void Methods_are_short() => Assert.Empty(SourceFiles().SelectMany(f => TooLong(f.Path, f.Tree)));

    [Fact(DisplayName = "Every namespace in src/ is its project's name and the file's folders")]
    public void Namespaces_follow_folders() => Assert.Empty(SourceFiles().SelectMany(f => Misplaced(f.Path, f.Tree)));

    [Fact(DisplayName = "The source rules read the tree: a long method and a misplaced namespace are found, numbered steps pass")]
    public void The_rules_see_a_violation()
    {
        var path = Path.Combine("src", "Conversations.Api", "Chat", "Example.cs");
        var lines = string.Join('\n', Enumerable.Range(0, MaxMethodLines).Select(i => $"        var x{i} = {i};"));
        var steps = string.Join('\n', Enumerable.Range(1, 3).Select(i => $"        // {i}. Step {i}.\n        var s{i} = {i};"));
        var tree = CSharpSyntaxTree.ParseText($"namespace Conversations.Api;\nclass C\n{{\n    void M()\n    {{\n{lines}\n    }}\n\n"
            + $"    void Steps()\n    {{\n{steps}\n{lines}\n    }}\n}}\n");
        Assert.Equal($"{path}:4 ({MaxMethodLines + 3} lines)", Assert.Single(TooLong(path, tree)));
        Assert.Equal($"{path}: Conversations.Api (expected Conversations.Api.Chat)", Assert.Single(Misplaced(path, tree)));
        Assert.Contains(SourceFiles(), f => f.Path == Path.Combine("src", "Conversations.Api", "ApiSetup.cs"));
    }

    private static IEnumerable<string> TooLong(string path, SyntaxTree tree)
    {
        foreach (var (node, body) in Bodies(tree.GetRoot()))
        {
            var first = tree.GetLineSpan(FirstTokenAfterAttributes(node).Span).StartLinePosition.Line;
            var lines = tree.GetLineSpan(body.Span).EndLinePosition.Line - first + 1;
            if (lines > MaxMethodLines && !IsNumberedSteps(body.ToFullString()))
                yield return $"{path}:{first + 1} ({lines} lines)";
        }
    }

    private static IEnumerable<string> Misplaced(string path, SyntaxTree tree)
    {
        var expected = string.Join('.', Path.GetDirectoryName(path)!.Split(Path.DirectorySeparatorChar).Skip(1)); // past "src"
        foreach (var ns in tree.GetRoot().DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>())
        {
            var name = ns.Parent is BaseNamespaceDeclarationSyntax outer ? $"{outer.Name}.{ns.Name}" : ns.Name.ToString();
            if (name != expected) yield return $"{path}: {name} (expected {expected})";
        }
    }

    private static IEnumerable<(string Path, SyntaxTree Tree)> SourceFiles()
    {
        var src = Path.Combine(RepoPaths.Root, "src");
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepoPaths.Root, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Contains("obj") || parts.Contains("bin") || parts.Contains("node_modules")) continue;
            yield return (relative, CSharpSyntaxTree.ParseText(File.ReadAllText(file), path: relative));
        }
    }

    // Every body a reader reads as one piece: methods, constructors, operators, accessors, local functions, lambdas.
    private static IEnumerable<(SyntaxNode Node, SyntaxNode Body)> Bodies(SyntaxNode root)
    {
        foreach (var node in root.DescendantNodes())
        {
            SyntaxNode? body = node switch
            {
                BaseMethodDeclarationSyntax m => (SyntaxNode?)m.Body ?? m.ExpressionBody,
                LocalFunctionStatementSyntax l => (SyntaxNode?)l.Body ?? l.ExpressionBody,
                AccessorDeclarationSyntax a => (SyntaxNode?)a.Body ?? a.ExpressionBody,
                AnonymousFunctionExpressionSyntax f => f.Body,
                _ => null,
            };
            if (body is not null) yield return (node, body);
        }
    }

    // The signature starts after the attributes: "from signature to closing brace".
    private static SyntaxToken FirstTokenAfterAttributes(SyntaxNode node) => node.ChildNodesAndTokens()
        .Where(c => !c.IsKind(SyntaxKind.AttributeList))
        .Select(c => c.IsToken ? c.AsToken() : c.AsNode()!.GetFirstToken())
        .First();

    // At least three steps, numbered 1, 2, 3, ... in order.
    private static bool IsNumberedSteps(string body)
    {
        var numbers = NumberedStep.Matches(body).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        return numbers.Count >= 3 && numbers.Select((n, i) => n == i + 1).All(ok => ok);
    }
}
