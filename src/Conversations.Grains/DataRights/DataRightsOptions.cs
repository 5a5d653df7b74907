namespace Conversations.Grains.DataRights;

/// <summary>Exports of a tenant's or a user's data (configuration section <c>DataRights</c>).</summary>
public sealed class DataRightsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DataRights";

    /// <summary>
    /// Bytes of an export archive in one stored part (4 MiB; 64 KiB to 64 MiB): an export holds one part in memory while
    /// it stores its archive, and a download one part while it sends it.
    /// </summary>
    public int ArchivePartBytes { get; set; } = 4 * 1024 * 1024;
}
