namespace Conversations.TestModel.Control;

/// <summary>Changes how the running test server answers, per model name; changes apply to the next request.</summary>
public sealed class TestModelControl
{
    private readonly ConcurrentDictionary<string, ModelSlot> models = new(StringComparer.Ordinal);
    private readonly ModelBehavior initialDefault;
    private readonly IReadOnlyDictionary<string, ModelBehavior> initialModels;
    private volatile ModelSlot defaultSlot;

    internal TestModelControl(ModelBehavior defaultBehavior, IReadOnlyDictionary<string, ModelBehavior> initial)
    {
        initialDefault = defaultBehavior;
        initialModels = initial;
        defaultSlot = new ModelSlot(defaultBehavior);
        foreach (var (name, behavior) in initial)
        {
            models[name] = new ModelSlot(behavior);
        }
    }

    /// <summary>Raised by <see cref="Reset"/> so the server can forget caches, log and counters too.</summary>
    internal event Action? Resetting;

    /// <summary>The behaviour of every model name without its own; setting it restarts its fault budget.</summary>
    public ModelBehavior Default
    {
        get => defaultSlot.Behavior;
        set => defaultSlot = new ModelSlot(value);
    }

    /// <summary>Changes the default behaviour until the returned scope is disposed, which puts the one before back.</summary>
    public IDisposable ChangeDefault(Func<ModelBehavior, ModelBehavior> change)
    {
        var before = Default;
        Default = change(before);
        return new DefaultScope(this, before);
    }

    /// <summary>The model names with their own behaviour.</summary>
    public IReadOnlyDictionary<string, ModelBehavior> Models =>
        models.ToDictionary(pair => pair.Key, pair => pair.Value.Behavior, StringComparer.Ordinal);

    /// <summary>Gives a model name its own behaviour (restarting its fault budget).</summary>
    public void SetModel(string model, ModelBehavior behavior)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(behavior);
        models[model] = new ModelSlot(behavior);
    }

    /// <summary>Changes a model's behaviour from its current one (the default when it has none).</summary>
    public void UpdateModel(string model, Func<ModelBehavior, ModelBehavior> change) =>
        SetModel(model, change(GetBehavior(model)));

    /// <summary>Removes a model's own behaviour so it follows the default again; false when it had none.</summary>
    public bool RemoveModel(string model) => models.TryRemove(model, out _);

    /// <summary>The behaviour a request for this model name gets now.</summary>
    public ModelBehavior GetBehavior(string model) => Resolve(model).Behavior;

    /// <summary>Injects a fault into a model's requests (null clears it).</summary>
    public void SetFault(string model, FaultRule? fault) => UpdateModel(model, behavior => behavior with { Fault = fault });

    /// <summary>Makes the next <paramref name="count"/> requests to the model fail with <paramref name="statusCode"/>.</summary>
    public void FailNext(string model, int count, int statusCode = 500) => SetFault(model, FaultRule.Status(statusCode, count));

    /// <summary>Makes every request to the model fail with <paramref name="statusCode"/> until the fault is cleared.</summary>
    public void FailAlways(string model, int statusCode = 500) => SetFault(model, FaultRule.Status(statusCode));

    /// <summary>Clears the model's fault.</summary>
    public void ClearFault(string model) => SetFault(model, null);

    /// <summary>Back to the behaviours the server started with; forgets prompt caches, the request log and counters.</summary>
    public void Reset()
    {
        models.Clear();
        foreach (var (name, behavior) in initialModels)
        {
            models[name] = new ModelSlot(behavior);
        }

        defaultSlot = new ModelSlot(initialDefault);
        Resetting?.Invoke();
    }

    internal ModelSlot Resolve(string model) => models.TryGetValue(model, out var slot) ? slot : defaultSlot;

    internal bool IsKnown(string model) => models.ContainsKey(model);

    private sealed class DefaultScope(TestModelControl control, ModelBehavior before) : IDisposable
    {
        public void Dispose() => control.Default = before;
    }
}
