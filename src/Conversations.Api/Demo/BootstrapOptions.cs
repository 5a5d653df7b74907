namespace Conversations.Api.Demo;

/// <summary>
/// Configuration section <c>Bootstrap</c>: the operator key from configuration, and (locally) a demo tenant with an
/// admin and a user whose keys are fixed by configuration and printed at start.
/// </summary>
internal sealed class BootstrapOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Bootstrap";

    /// <summary>The operator key (<c>cvk_id_secret</c>); without one, no tenant can be created through the API.</summary>
    public string? OperatorKey { get; set; }
    /// <summary>Create the demo tenant at start, with its users, documents and lexicons.</summary>
    public bool DemoEnabled { get; set; }
    /// <summary>Demo tenant id.</summary>
    public string DemoTenantId { get; set; } = "demo";
    /// <summary>Key of the demo tenant's admin.</summary>
    public string? DemoAdminKey { get; set; }
    /// <summary>Key of the demo user "alice".</summary>
    public string? DemoUserKey { get; set; }
    /// <summary>
    /// Key of the demo's model endpoint (<see cref="DemoModelApi"/>); with one, the demo tenant gets two catalog models
    /// served by it and a routing policy between them. Without one, neither exists.
    /// </summary>
    public string? DemoModelKey { get; set; }
}
