namespace Conversations.TestModel.Control;

/// <summary>JSON settings (camelCase) of the control endpoints and <see cref="TestModelControlClient"/>.</summary>
public static class ControlJson
{
    /// <summary>
    /// Reflection-based on purpose: source-generated metadata resets init-only properties missing from the JSON to
    /// zero, while a partial behaviour must keep its documented defaults.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
