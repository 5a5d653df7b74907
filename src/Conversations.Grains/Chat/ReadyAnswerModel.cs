using System.Runtime.CompilerServices;
using Conversations.Models.Chat;

namespace Conversations.Grains.Chat;

/// <summary>Streams a reply that needed no model (canned reply, cache hit) through the same path as a model's answer.</summary>
internal sealed class ReadyAnswerModel(string answer) : IChatModel
{
    public string Name => "ready";

    public async IAsyncEnumerable<ModelUpdate> StreamAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = 0;
        for (var i = 0; i < answer.Length; i++)
        {
            if (answer[i] != ' ' && i - start < 24) continue;
            yield return new ModelUpdate(answer[start..(i + 1)]);
            start = i + 1;
        }
        if (start < answer.Length) yield return new ModelUpdate(answer[start..]);
        await Task.CompletedTask;
    }
}
