using Conversations.Models.Chat;
using Conversations.Prompting.Layout;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// The images of earlier questions that a turn sends again, so a follow-up ("and what colour is the car?") is answered
/// with the picture in view. Bounded: a request carries at most <see cref="ChatPipeline.MaxImagesPerRequest"/> images,
/// the question's own first, then earlier questions' newest first; only those of turns the prompt still holds go, and
/// only to a model that reads images (a text model gets the text history alone). They are counted in the prompt's
/// layout like the question's (<see cref="Prompting.History.MessageTokens.PerImage"/> each), and read from the
/// tenant's sealed store only once the route has a vision model.
/// </summary>
internal static class EarlierImages
{
    /// <summary>An earlier image as the prompt places it: the index of its question among the prompt's messages, and its id.</summary>
    public sealed record Placed(int MessageIndex, string ImageId);

    /// <summary>The earlier images the prompt may carry (the question's images leave room for the rest), by their question's number.</summary>
    public static IReadOnlyDictionary<long, IReadOnlyList<string>> Choose(ChatTurn turn, long questionSeq)
    {
        var room = turn.Pipeline.MaxImagesPerRequest - turn.Images.Count;
        var chosen = new Dictionary<long, IReadOnlyList<string>>();
        foreach (var question in turn.Conversation.Log.QuestionsWithImages(questionSeq))
        {
            if (room <= 0) break;
            var ids = question.ImageIds!.Take(room).ToList();
            chosen[question.Seq] = ids;
            room -= ids.Count;
        }
        return chosen;
    }

    /// <summary>Where the chosen images sit in the built prompt: those of the turns it included, by the index of their question.</summary>
    public static IReadOnlyList<Placed> Place(BuiltPrompt prompt, IReadOnlyDictionary<long, IReadOnlyList<string>> chosen)
    {
        if (chosen.Count == 0) return [];
        var history = prompt.IncludedTurns.SelectMany(t => t.Messages).ToList();
        var first = prompt.Messages.Count - 1 - history.Count; // the system message, if any, comes before the history
        return history.SelectMany((m, i) => chosen.TryGetValue(m.Sequence, out var ids) ? ids.Select(id => new Placed(first + i, id)) : [])
            .ToList();
    }

    /// <summary>
    /// Adds the placed images to the turn's request when a model of the route reads images: read from the asker's own
    /// store (an image deleted since is left out), less any the tenant has blocked since it was sent.
    /// </summary>
    public static async Task AttachAsync(ChatTurn turn, CancellationToken cancellationToken)
    {
        var plan = turn.Route!.Plan;
        if (turn.EarlierImagePlaces.Count == 0 || plan.ReadyAnswer is not null || plan.RefusalMessage is not null
            || !(turn.Chain.Any(c => c.Vision) || plan.Escalation?.Vision == true)) return;
        var (tenantId, store) = (turn.Conversation.TenantId, turn.Pipeline.Images);
        var rows = await store.ReadAsync(tenantId, turn.Caller.UserId, turn.EarlierImagePlaces.Select(p => p.ImageId).ToList(), withContent: true, cancellationToken);
        var blocked = await store.BlockedAsync(tenantId, rows.Select(r => r.Image.Sha256).Distinct().ToList(), cancellationToken);
        var found = rows.Where(r => !blocked.Contains(r.Image.Sha256)).ToDictionary(r => r.Image.ImageId);
        var images = turn.EarlierImagePlaces.Where(p => found.ContainsKey(p.ImageId))
            .Select(p => new ModelImage(found[p.ImageId].Content!, found[p.ImageId].Image.MediaType, p.MessageIndex));
        turn.Request = turn.Request with { Images = [.. images, .. turn.Request.Images ?? []] };
    }
}
