namespace Conversations.Benchmarks.Prompting.Replay;

/// <summary>
/// A deterministic scripted conversation: a user who asks about a few work topics in English and Chinese, states a
/// few facts about themselves, and an assistant whose answers have realistic lengths. Same seed, same text.
/// </summary>
public sealed class ReplayScript
{
    /// <summary>A realistic tenant instruction block.</summary>
    public const string DefaultTenantInstructions = """
        Organization: Contoso Logistics, a freight and warehousing company with offices in Shanghai, Singapore and Rotterdam.
        Audience: operations staff, engineers and finance people; many write in Chinese, some in English.
        Terms: "WMS" is the warehouse management system; "TMS" is the transport management system; "the portal" is the
        customer self-service site; "P1/P2/P3" are incident priorities; fiscal year starts on 1 April.
        Policies: purchases above 50,000 CNY need two approvals; travel is booked through the travel desk only;
        production changes need a change ticket approved by the service owner and must avoid the Friday freeze window.
        Escalation: IT help desk (ext. 8000) for accounts and devices; the platform team for WMS/TMS incidents; finance
        operations for invoices and reimbursements. Mention the right contact when the user cannot self-serve.
        """;

    /// <summary>The tenant's concise-answer instruction (short answers cut output tokens).</summary>
    public const string DefaultConciseInstruction = "Answer concisely: at most five sentences or five steps, unless the user asks for more detail.";

    private static readonly Topic[] Topics =
    [
        new("wms", "the WMS database migration", "WMS 数据库迁移", ["schema", "replica", "cutover", "rollback plan"], ["表结构", "只读副本", "切换", "回滚方案"]),
        new("tms", "TMS route planning", "TMS 路线规划", ["depot", "time window", "carrier", "fuel surcharge"], ["仓库", "时间窗", "承运商", "燃油附加费"]),
        new("inv", "invoice reconciliation", "发票对账", ["purchase order", "tax rate", "supplier", "month-end close"], ["采购订单", "税率", "供应商", "月结"]),
        new("k8s", "Kubernetes autoscaling for the portal", "门户的 Kubernetes 自动扩缩容", ["HPA", "CPU target", "node pool", "cold start"], ["HPA", "CPU 目标值", "节点池", "冷启动"]),
        new("trv", "the travel and reimbursement policy", "差旅报销政策", ["hotel cap", "per diem", "receipt", "approval"], ["酒店上限", "每日补贴", "发票", "审批"]),
        new("inc", "P1 incident handling", "P1 事故处理", ["on-call", "status page", "postmortem", "root cause"], ["值班", "状态页", "复盘", "根因"]),
    ];

    private readonly int seed;

    /// <summary>A script for <paramref name="seed"/>.</summary>
    public ReplayScript(int seed) => this.seed = seed;

    /// <summary>The user's message on turn <paramref name="turn"/> (1-based).</summary>
    public string UserMessage(int turn)
    {
        var rng = Rng(turn, 1);
        var topic = TopicFor(turn);
        var chinese = IsChinese(turn);
        var sb = new StringBuilder();
        // A few turns carry facts about the user, as real users mention them in passing.
        switch (turn)
        {
            case 1: sb.Append("Hi, my name is Lin Wei and I work at the Shanghai warehouse. "); break;
            case 3: sb.Append("以后请用中文回答。"); break;
            case 9: sb.Append("I prefer short answers with numbered steps. "); break;
            case 27: sb.Append("我是运维工程师。"); break;
        }
        var term = Pick(rng, chinese ? topic.TermsZh : topic.TermsEn);
        var number = rng.Next(3, 400);
        if (chinese)
        {
            sb.Append(Pick(rng, ["关于", "继续说", "还有一个问题，关于", "回到"])).Append(topic.NameZh).Append("：");
            sb.Append(Pick(rng, ["我们现在有", "目前大约有", "这周新增了"])).Append(number).Append(Pick(rng, ["个订单", "台服务器", "条记录", "张发票"])).Append("，");
            sb.Append(term).Append(Pick(rng, ["有点问题", "还没确定", "需要重新评估", "比预期复杂"])).Append("。");
            sb.Append(Pick(rng, ["我们应该怎么处理", "下一步该做什么", "有什么风险需要注意", "需要谁来审批"])).Append("？");
        }
        else
        {
            sb.Append(Pick(rng, ["About ", "Back to ", "One more question on ", "Regarding "])).Append(topic.NameEn).Append(": ");
            sb.Append(Pick(rng, ["we currently have ", "this week we added ", "there are about "])).Append(number).Append(Pick(rng, [" orders", " servers", " records", " invoices"])).Append(" and the ");
            sb.Append(term).Append(Pick(rng, [" is still unclear.", " looks risky.", " needs another review.", " is more complex than expected."]));
            sb.Append(' ').Append(Pick(rng, ["What should we do next?", "What are the risks?", "Who needs to approve this?", "How long will it take?"]));
        }
        return sb.ToString();
    }

    /// <summary>The assistant's answer to <paramref name="question"/> on turn <paramref name="turn"/>, citing the given sources.</summary>
    public string Answer(int turn, string question, IReadOnlyList<RetrievedChunk> sources)
    {
        var rng = Rng(turn, 2);
        var topic = TopicFor(turn);
        var chinese = IsChinese(turn) || turn >= 3 && rng.Next(4) == 0;
        var cite = sources.Count > 0 ? $" [{sources[0].Id}]" : "";
        var steps = rng.Next(3, 6);
        var words = chinese ? ChineseAnswer : EnglishAnswer;
        var sb = new StringBuilder();
        sb.Append(words.Lead).Append(chinese ? topic.NameZh : topic.NameEn).Append(words.Recommend).Append(cite).Append(words.Colon).Append('\n');
        for (var i = 1; i <= steps; i++)
            sb.Append(i).Append(". ").Append(Pick(rng, words.Verbs))
              .Append(Pick(rng, chinese ? topic.TermsZh : topic.TermsEn)).Append(words.Comma).Append(Pick(rng, words.Tails))
              .Append(Pick(rng, words.Extras))
              .Append('\n');
        sb.Append(Pick(rng, words.Closings));
        return sb.ToString();
    }

    /// <summary>Passages a retriever might return for turn <paramref name="turn"/>.</summary>
    public IReadOnlyList<RetrievedChunk> Chunks(int turn, int count)
    {
        var rng = Rng(turn, 3);
        var topic = TopicFor(turn);
        var chunks = new List<RetrievedChunk>(count);
        for (var i = 0; i < count; i++)
        {
            var n = rng.Next(1, 40);
            var text = $"{topic.NameEn} ({topic.NameZh}), section {n}: the {Pick(rng, topic.TermsEn)} must be reviewed by the service owner before any change; " +
                $"changes are recorded in a change ticket with the expected impact, the rollback steps and the people to notify. " +
                $"{Pick(rng, topic.TermsZh)}相关的变更需要在非冻结窗口内完成，并在完成后更新运行手册。 " +
                $"Typical effort is {rng.Next(1, 5)} days; escalate to the platform team when the {Pick(rng, topic.TermsEn)} affects customers.";
            chunks.Add(new RetrievedChunk($"kb-{topic.Key}#{n}", text, $"{topic.NameEn} handbook"));
        }
        return chunks;
    }

    // The user drifts between topics every few turns and writes Chinese in about half of the stretches.
    private Topic TopicFor(int turn) => Topics[((turn - 1) / 4 + seed) % Topics.Length];

    private bool IsChinese(int turn) => turn == 3 || Rng(turn, 4).Next(100) < 45;

    // Explicit arithmetic, not HashCode.Combine: that one is randomized per process and would break determinism.
    private Random Rng(int turn, int stream) => new((int)((seed * 1_000_003L + turn * 7_919L + stream * 104_729L) & 0x7fffffff));

    private static string Pick(Random rng, IReadOnlyList<string> options) => options[rng.Next(options.Count)];

    private sealed record Topic(string Key, string NameEn, string NameZh, string[] TermsEn, string[] TermsZh);

    // The words of an answer in one language: "<lead><topic><recommend><cite><colon>", numbered steps
    // "<verb><term><comma><tail><extra>", and a closing line.
    private sealed record AnswerWords(string Lead, string Recommend, string Colon, string Comma, string[] Verbs, string[] Tails, string[] Extras, string[] Closings);

    private static readonly AnswerWords ChineseAnswer = new("针对", "，结合你提到的情况，建议按以下步骤处理", "：", "，",
        ["先确认", "评估", "与负责团队核对", "记录并跟踪", "安排在非冻结窗口处理"],
        ["并在变更单中写明影响范围和回滚步骤。", "这一步通常需要一到两天，请预留缓冲时间。", "如果金额超过五万元，需要两级审批后才能执行。", "完成后在群里通知相关同事，并更新运行手册。", "执行过程中如有异常，立即按回滚方案恢复。"],
        ["", "注意保留操作记录，方便之后复盘。", "建议先在测试环境验证一次。"],
        ["如需进一步帮助，可以联系平台团队。", "如果涉及报销，请联系财务运营。", "遇到账号问题请拨打 8000。"]);

    private static readonly AnswerWords EnglishAnswer = new("For ", ", given what you described, here is what I recommend", ":", ", ",
        ["Confirm the ", "Review the ", "Check with the owning team about the ", "Track the ", "Schedule outside the Friday freeze the work on the "],
        ["and record the expected impact and the rollback steps in the change ticket.", "which usually takes one to two days, so plan some buffer.", "and get two approvals first if the amount is above 50,000 CNY.", "then tell the people affected and update the runbook.", "and roll back at the first sign of errors using the agreed plan."],
        ["", " Keep a log of what you did for the postmortem.", " Try it once in the test environment first."],
        ["If you need more help, contact the platform team.", "For reimbursements, ask finance operations.", "For account problems call the help desk at 8000."]);
}
