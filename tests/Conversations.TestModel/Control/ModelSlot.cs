namespace Conversations.TestModel.Control;

/// <summary>The live state behind one model name: its behaviour, and what is left of its fault's budget.</summary>
internal sealed class ModelSlot
{
    private readonly Random random;
    private readonly Lock randomLock = new();
    private int faultsLeft;

    public ModelSlot(ModelBehavior behavior)
    {
        Behavior = behavior;
        faultsLeft = behavior.Fault?.Count ?? int.MaxValue;
        random = new Random(behavior.Fault?.Seed ?? 1);
    }

    /// <summary>The behaviour this slot was made with; a change makes a new slot, which restarts the fault budget.</summary>
    public ModelBehavior Behavior { get; }

    /// <summary>The fault to inject into this request, or null: draws the probability, then spends the count.</summary>
    public FaultRule? TakeFault()
    {
        var fault = Behavior.Fault;
        if (fault is null)
        {
            return null;
        }

        if (fault.Probability < 1.0)
        {
            double draw;
            lock (randomLock)
            {
                draw = random.NextDouble();
            }

            if (draw >= fault.Probability)
            {
                return null;
            }
        }

        if (fault.Count is not null && Interlocked.Decrement(ref faultsLeft) < 0)
        {
            // Keep the budget from drifting toward overflow on long runs.
            Interlocked.Exchange(ref faultsLeft, -1);
            return null;
        }

        return fault;
    }
}
