namespace Conversations.Benchmarks.Routing.Workloads;

/// <summary>
/// A mixed workload of an internal company assistant, in English and Chinese, labeled with the model tier each
/// question needs: look-ups answered from one passage need the small model; comparisons, diagnoses, code,
/// multi-step calculations and plans need the large one. It includes greetings and thanks (answerable by canned
/// replies) and repeats with different spelling (answerable by the exact cache), in roughly the proportions such
/// an assistant sees. Shared by the router tests and the benchmarks.
/// </summary>
public static class RoutingWorkload
{
    private const ModelTier S = ModelTier.Small;
    private const ModelTier L = ModelTier.Large;

    /// <summary>The labeled questions, in the order they are asked.</summary>
    public static IReadOnlyList<LabeledQuestion> Questions { get; } =
    [
        new("hi", S, "en"),
        new("What is the leave policy for new employees?", S, "en", 0.86),
        new("How many vacation days do I get per year?", S, "en", 0.84),
        new("年假有多少天？", S, "zh", 0.88),
        new("Where can I find the expense report form?", S, "en", 0.9),
        new("Compare health insurance plans A and B for a family of four and recommend one, explaining the trade-offs.", L, "en", 0.61),
        new("Thanks!", S, "en"),
        new("What time does the office open on Saturdays?", S, "en", 0.8),
        new("报销单在哪里下载？", S, "zh", 0.87),
        new("Who do I contact for a laptop replacement?", S, "en", 0.77),
        new("Why did our Q3 cloud costs increase so much compared to Q2, and what should we do about it?", L, "en", 0.48),
        new("How do I reset my VPN password?", S, "en", 0.91),
        new("公司几点上班？", S, "zh", 0.82),
        new("你好", S, "zh"),
        new("What is the Wi-Fi password for guests?", S, "en", 0.83),
        new("Write a Python function that parses our expense CSV export and flags duplicate receipts.", L, "en", 0.42),
        new("怎么申请加班餐补？", S, "zh", 0.79),
        new("Is there parking available at the Shanghai office?", S, "en", 0.74),
        new("请比较一下公司两种养老金方案的优缺点，并结合我的情况给出建议。", L, "zh", 0.58),
        new("When is the next payroll date?", S, "en", 0.81),
        new("WHAT IS THE LEAVE POLICY FOR NEW EMPLOYEES", S, "en", 0.86),
        new("新员工试用期多久？", S, "zh", 0.85),
        new("This SQL query is slow: SELECT * FROM orders o JOIN customers c ON o.customer_id = c.id WHERE c.region = 'EU' ORDER BY o.created_at; how can I speed it up?", L, "en", 0.35),
        new("What's the per diem for business trips to Beijing?", S, "en", 0.88),
        new("ok, got it", S, "en"),
        new("Can I bring my dog to the office?", S, "en", 0.7),
        new("为什么我们这个季度的客户投诉率上升了？请分析可能的原因并提出改进措施。", L, "zh", 0.5),
        new("会议室怎么预订？", S, "zh", 0.9),
        new("What is the dress code?", S, "en", 0.83),
        new("hi, what's the leave policy?", S, "en", 0.82),
        new("Explain the difference between our two data retention policies and which one applies to customer chat logs under GDPR.", L, "en", 0.56),
        new("IT服务台的电话是多少？", S, "zh", 0.89),
        new("How do I book a meeting room?", S, "en", 0.87),
        new("谢谢你", S, "zh"),
        new("Our deployment fails with 'NullReferenceException at OrderService.Process(Order order)'. What could cause this and how do I debug it?", L, "en", 0.31),
        new("出差住宿标准是什么？", S, "zh", 0.86),
        new("What does PTO stand for?", S, "en", 0.72),
        new("帮我写一段Java代码，读取Excel中的报销记录并按部门汇总金额。", L, "zh", 0.4),
        new("Summarize the remote work policy in one sentence.", S, "en", 0.84),
        new("年假有多少天?", S, "zh", 0.88),
        new("公司食堂在几楼？", S, "zh", 0.8),
        new("A project has a budget of 120,000 and spends 8% more each month than the previous month, starting at 9,000. In which month does it run out?", L, "en", 0.22),
        new("Translate 'expense report' into Chinese.", S, "en", 0.3),
        new("病假需要提供什么证明？", S, "zh", 0.83),
        new("如果年终奖按月薪的2.5倍发放，扣除个税后实际到手多少？请一步一步计算。", L, "zh", 0.52),
        new("What's the difference between sick leave and personal leave?", S, "en", 0.81),
        new("how do I reset my vpn password", S, "en", 0.91),
        new("Given the travel policy and the per diem table, how much can I claim for a 5-day trip to Tokyo with two client dinners, and why?", L, "en", 0.63),
        new("How do I configure two-factor authentication on my phone?", S, "en", 0.85),
        new("好的", S, "zh"),
        new("What is 15% of 2,400?", S, "en", 0.2),
        new("解释一下分布式事务中两阶段提交和Saga模式的区别，以及我们订单系统应该选哪个。", L, "zh", 0.45),
        new("Can you explain what a 401(k) match is?", S, "en", 0.79),
        new("公司的股票期权怎么行权？", S, "zh", 0.76),
        new("我们的接口在高并发下偶尔返回超时，日志里有连接池耗尽的报错，可能是什么原因？怎么排查？", L, "zh", 0.38),
        new("And what about part-time staff?", S, "en", 0.78, 8),
        new("打印机连不上怎么办？", S, "zh", 0.8),
        new("Where can I find the expense report form ?", S, "en", 0.9),
        new("Good morning!", S, "en"),
        new("bye", S, "en"),
    ];
}
