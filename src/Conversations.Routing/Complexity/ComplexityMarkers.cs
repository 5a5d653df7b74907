using System.Text.RegularExpressions;

namespace Conversations.Routing.Complexity;

/// <summary>
/// Generic English and Chinese cues for reasoning, code, math, writing and multi-part questions. The lists name
/// kinds of work (compare, debug, calculate), never topics, so they carry over from one tenant's questions to another's.
/// </summary>
internal static partial class ComplexityMarkers
{
    /// <summary>Asking for reasons, comparison, judgement, planning or a derivation.</summary>
    public static readonly string[] ReasoningEnglish =
    [
        "why", "explain", "compare", "comparison", "difference", "differences", "versus", "pros and cons",
        "trade-off", "trade-offs", "tradeoff", "tradeoffs", "analyze", "analyse", "analysis", "evaluate", "assess",
        "recommend", "recommendation", "should i", "should we", "what could cause", "root cause", "optimize",
        "optimise", "improve", "design", "strategy", "step by step", "step-by-step", "prove", "derive", "justify",
        "prioritize", "prioritise", "implications", "what would happen", "what if", "in depth",
    ];

    /// <summary>Chinese cues of the same kinds ("证明" is left out: it also means a certificate).</summary>
    public static readonly string[] ReasoningChinese =
    [
        "为什么", "为何", "原因", "解释", "比较", "对比", "区别", "差异", "优缺点", "利弊", "权衡", "分析", "评估",
        "建议", "推荐", "设计", "方案", "规划", "策略", "一步一步", "逐步", "推导", "优化", "改进", "排查",
        "会怎样", "深入",
    ];

    /// <summary>Programming words and languages.</summary>
    public static readonly string[] CodeEnglish =
    [
        "code", "function", "script", "regex", "regular expression", "bug", "debug", "compile", "stack trace",
        "exception", "python", "java", "javascript", "typescript", "c#", "c++", "golang", "rust", "sql", "api call",
        "unit test", "refactor", "null pointer", "segfault",
    ];

    /// <summary>Chinese programming words.</summary>
    public static readonly string[] CodeChinese = ["代码", "函数", "脚本", "正则", "报错", "异常", "调试", "编译", "接口", "单元测试", "重构"];

    /// <summary>Calculation words.</summary>
    public static readonly string[] MathEnglish =
    [
        "calculate", "compute", "solve", "equation", "probability", "integral", "derivative", "percent",
        "percentage", "compound", "interest rate", "average of", "sum of",
    ];

    /// <summary>Chinese calculation words.</summary>
    public static readonly string[] MathChinese = ["计算", "算一下", "求解", "方程", "概率", "积分", "导数", "百分之", "平均值", "总和", "利率"];

    /// <summary>Asking for a written artefact rather than a fact.</summary>
    public static readonly string[] WritingEnglish = ["write a", "write an", "write me", "draft", "compose", "generate a"];

    /// <summary>Chinese requests for a written artefact.</summary>
    public static readonly string[] WritingChinese = ["帮我写", "写一段", "写一个", "写一份", "撰写", "起草", "生成一"];

    /// <summary>Asking to combine several sources or the asker's own situation.</summary>
    public static readonly string[] SynthesisEnglish = ["given the", "based on the", "taking into account", "across all", "my situation", "our situation"];

    /// <summary>Chinese requests to combine sources or circumstances.</summary>
    public static readonly string[] SynthesisChinese = ["结合", "综合", "根据以上", "我的情况", "我们的情况"];

    /// <summary>Clauses joining a second request ("... and how do I ...").</summary>
    public static readonly string[] SecondRequestEnglish = ["and what", "and how", "and why", "and which", "and should", "then what"];

    /// <summary>Chinese conjunctions that join a second request.</summary>
    public static readonly string[] SecondRequestChinese = ["并且", "并给出", "并提出", "以及", "同时"];

    /// <summary>Text that looks like code: calls, keywords of SQL, arrows, braces, fences.</summary>
    [GeneratedRegex(@"```|\b[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\([^)]*\)|=>|\{|\}|;\s*$|\bSELECT\b.+\bFROM\b|\b(def|class|return|import|public|void|var|const|let)\s", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    public static partial Regex CodeShape();

    /// <summary>An arithmetic expression between two numbers.</summary>
    [GeneratedRegex(@"\d\s*[-+*/×÷^=]\s*\d|\d\s*%|\d\s*％", RegexOptions.CultureInvariant)]
    public static partial Regex ArithmeticShape();

    /// <summary>One number (with thousands separators or decimals).</summary>
    [GeneratedRegex(@"\d+(?:[.,]\d+)*", RegexOptions.CultureInvariant)]
    public static partial Regex Number();

    /// <summary>A run of Latin letters, digits or apostrophes: one English word.</summary>
    [GeneratedRegex(@"[A-Za-z0-9][A-Za-z0-9'’\-]*", RegexOptions.CultureInvariant)]
    public static partial Regex LatinWord();
}
