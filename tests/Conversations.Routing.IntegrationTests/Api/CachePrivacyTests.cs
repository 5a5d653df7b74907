using Conversations.TestModel.Answers;

namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>
/// The answer caches never carry one user's private context to another. Users of one tenant share a read scope (the
/// worst case for sharing); each owns private markers: a name in their memory, an employee number, and facts that end
/// up in their conversation summaries. The model repeats every marker its prompt carries, so an answer built with
/// anyone's private context shows it.
/// </summary>
public sealed partial class CachePrivacyTests(RoutingPlatform fx) : RoutingPlatformTests
{
    private static readonly string[] Common =
    [
        "What is the parental leave policy?",
        "How do I request new equipment?",
        "what is the parental leave policy",
        "How can I request new equipment?",
    ];

    private sealed record Person(string Id, ApiClient Client, string NameMarker, string Number, bool StatesName)
    {
        public List<string> Markers { get; } = [];
    }

    [Theory(DisplayName = "Random users, memories, summaries and questions with identifiers: no answer ever carries another user's private marker")]
    [InlineData(11)]
    [InlineData(29)]
    public async Task No_answer_carries_another_users_marker(int seed)
    {
        var random = new Random(seed);
        using var t = await fx.NewTenantAsync();
        foreach (var model in new[] { "small", "large" })
            fx.Model.Control.SetModel(t.ServerName(model), new ModelBehavior { AnswerFactory = RepeatMarkers, TimeToFirstToken = TimeSpan.FromMilliseconds(5) });
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", exactCache = true, semanticCache = true, semanticThreshold = 0.85 });
        await t.Admin.PatchSettingsAsync(new { contextBudgetTokens = 2000, summaryThresholdTokens = 200, maxOutputTokens = 200 });

        var people = new List<Person>();
        for (var i = 0; i < 5; i++)
        {
            var id = i == 0 ? "alice" : $"user{i}";
            var client = i == 0 ? t.User : fx.As(await t.Admin.CreateUserWithKeyAsync(id));
            var person = new Person(id, client, "Zq" + Letters(random, 8), "9" + random.Next(10_000, 99_999), random.Next(2) == 0);
            person.Markers.Add(person.NameMarker.ToLowerInvariant());
            person.Markers.Add(person.Number);
            people.Add(person);
        }

        var received = 0;
        async Task AskAsync(Person p, string conversation, string text)
        {
            var events = await p.Client.SendAsync(conversation, text);
            var answer = events.AnswerText();
            foreach (Match m in Marker().Matches(answer))
            {
                var owners = people.Where(o => o.Markers.Contains(m.Value.ToLowerInvariant())).Select(o => o.Id).ToList();
                Assert.True(owners.Count == 0 || owners.Contains(p.Id),
                    $"{p.Id} asked \"{text}\" and received {string.Join(",", owners)}'s marker {m.Value}: {answer} ({events.Dump()})");
            }
            received++;
        }

        foreach (var p in people.Where(p => p.StatesName))
            await AskAsync(p, await p.Client.CreateConversationAsync(), $"My name is {p.NameMarker}.");

        var longConversations = new Dictionary<string, string>();
        for (var step = 0; step < 40; step++)
        {
            var p = people[random.Next(people.Count)];
            switch (random.Next(4))
            {
                case 0: // a common first question
                    await AskAsync(p, await p.Client.CreateConversationAsync(), Common[random.Next(Common.Length)]);
                    break;
                case 1: // the same question, carrying the asker's own identifier
                    await AskAsync(p, await p.Client.CreateConversationAsync(), $"What is the leave balance of employee {p.Number}?");
                    break;
                case 2: // a first question that states a private fact
                    await AskAsync(p, await p.Client.CreateConversationAsync(), $"my badge says {p.NameMarker.ToLowerInvariant()}, what is the parental leave policy?");
                    break;
                default: // a long conversation whose summary folds in private facts, then a common question in it
                    if (!longConversations.TryGetValue(p.Id, out var conversation))
                        longConversations[p.Id] = conversation = await p.Client.CreateConversationAsync();
                    await AskAsync(p, conversation, $"Note for later: project {p.NameMarker.ToLowerInvariant()} uses cost centre {p.Number} and "
                        + string.Join(' ', Enumerable.Repeat("the quarterly planning details matter here", 6)) + ".");
                    await AskAsync(p, conversation, Common[random.Next(Common.Length)]);
                    break;
            }
        }
        Assert.True(received > 40);
        foreach (var p in people.Skip(1)) p.Client.Dispose();
    }

    // Every private marker the prompt carries (memory, summary, earlier turns, the question), repeated in the answer.
    private static string RepeatMarkers(AnswerContext context)
    {
        var markers = context.Messages.SelectMany(m => Marker().Matches(m.Content).Select(x => x.Value.ToLowerInvariant())).Distinct().ToList();
        return markers.Count == 0 ? "The policy is described in the handbook." : "Noted: " + string.Join(' ', markers) + ".";
    }

    private static string Letters(Random random, int n) => new([.. Enumerable.Range(0, n).Select(_ => (char)('a' + random.Next(26)))]);

    [GeneratedRegex(@"\b(?:zq[a-z]{8}|9\d{5})\b", RegexOptions.IgnoreCase)]
    private static partial Regex Marker();
}
