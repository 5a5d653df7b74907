using Conversations.Contracts.Knowledge;

namespace Conversations.Api.Demo;

/// <summary>The demo tenant's documents: a handbook everyone may read and one compensation plan per position.</summary>
internal static class DemoDocuments
{
    /// <summary>Label everyone may read.</summary>
    public const string Handbook = "handbook";
    /// <summary>Label of the staff compensation plan.</summary>
    public const string StaffPlan = "compensation/staff";
    /// <summary>Label of the manager compensation plan.</summary>
    public const string ManagerPlan = "compensation/manager";
    /// <summary>Label of the director compensation plan.</summary>
    public const string DirectorPlan = "compensation/director";

    /// <summary>The roles: staff ⊂ manager ⊂ director; each position reads its own plan and those below it.</summary>
    public static readonly IReadOnlyList<RoleDefinition> Roles =
    [
        new("staff", [], [Handbook, StaffPlan]),
        new("manager", ["staff"], [ManagerPlan]),
        new("director", ["manager"], [DirectorPlan]),
    ];

    /// <summary>User → role: alice is staff, bob a manager, carol a director (the admin too, to try everything).</summary>
    public static readonly IReadOnlyList<(string User, string Role)> UserRoles =
        [("alice", "staff"), ("bob", "manager"), ("carol", "director"), ("admin", "director")];

    /// <summary>The documents.</summary>
    public static readonly IReadOnlyList<DocumentUpload> Documents =
    [
        new("employee-handbook", "Employee handbook", Handbook, """
            # Employee handbook
            Working hours are flexible between 8:00 and 18:00, with core hours from 10:00 to 16:00.
            Every employee has 25 days of paid annual leave; unused days carry over until the end of March.
            Travel expenses are reimbursed within 30 days when submitted with receipts in the expense tool.
            Questions about pay go to your manager or to HR at hr@demo.example.
            """),
        new("compensation-plan-staff", "Staff compensation plan 2025", StaffPlan, """
            # Staff compensation plan 2025
            Regular staff are paid within salary bands S1 to S4, reviewed every April.
            The staff annual bonus is up to 10% of base salary, paid in March, based on individual goals.
            Staff receive a 3% pension contribution and a yearly learning budget of 1,000 EUR.
            """),
        new("compensation-plan-manager", "Manager compensation plan 2025", ManagerPlan, """
            # Manager compensation plan 2025
            Managers are paid within salary bands M1 to M3, reviewed every April.
            The manager annual bonus is up to 20% of base salary: half on team goals, half on company results.
            Managers receive stock options vesting over four years and a 5% pension contribution.
            """),
        new("compensation-plan-director", "Director compensation plan 2025", DirectorPlan, """
            # Director compensation plan 2025
            Directors are paid within salary bands D1 and D2, set by the board's pay committee.
            The director annual bonus is up to 35% of base salary, plus a long-term incentive plan paid in shares after three years.
            Directors receive an 8% pension contribution and a company car allowance.
            """),
    ];
}
