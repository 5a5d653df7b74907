namespace Conversations.IntegrationTests.Browser;

/// <summary>The chat page at / in a <see cref="BrowserSession"/>, with the steps its scenarios share.</summary>
public sealed class ChatBrowser(BrowserSession session) : IAsyncDisposable
{
    /// <summary>The browser context (viewport, colour scheme, network).</summary>
    public IBrowserContext Context => session.Context;

    /// <summary>The chat page.</summary>
    public IPage Page => session.Page;

    /// <summary>Script errors the page raised and errors it logged to the console, as they happened.</summary>
    public List<string> Errors => session.Errors;

    /// <summary>Opens the chat at <paramref name="baseUrl"/> in a new browser (English UI, desktop size unless given).</summary>
    public static async Task<ChatBrowser> OpenAsync(string baseUrl, BrowserNewContextOptions? options = null) =>
        new(await BrowserSession.OpenAsync(baseUrl, "/", options, TimeSpan.FromSeconds(60)));

    /// <summary>Signs in with a key and waits for the composer.</summary>
    public async Task SignInAsync(string key)
    {
        await session.SubmitKeyAsync(key);
        await Page.GetByLabel("Message", new() { Exact = true }).WaitForAsync();
    }

    /// <summary>Types a question and presses Enter.</summary>
    public async Task AskAsync(string question)
    {
        var box = Page.GetByLabel("Message", new() { Exact = true });
        await box.FillAsync(question);
        await box.PressAsync("Enter");
    }

    /// <summary>The last assistant answer.</summary>
    public ILocator LastAnswer => Page.Locator("article.turn.assistant").Last;

    /// <summary>Waits until the last answer has finished (its actions or an error are shown).</summary>
    public Task WaitForAnswerAsync() =>
        Page.Locator("article.turn.assistant:not(.streaming)").Last.WaitForAsync(new() { Timeout = 60_000 });

    /// <summary>Asks a question and waits until its answer has finished.</summary>
    public async Task AskAndWaitAsync(string question)
    {
        await AskAsync(question);
        await WaitForAnswerAsync();
    }

    /// <summary>Asks a question and waits until its answer is seen streaming (its first text is on the page).</summary>
    public async Task AskUntilStreamingAsync(string question)
    {
        await AskAsync(question);
        await Page.Locator("article.turn.assistant.streaming .markdown").WaitForAsync();
    }

    /// <summary>Saves a screenshot of the page as artifacts/screenshots/NAME.png.</summary>
    public Task ScreenshotAsync(string name) => session.ScreenshotAsync(name);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => session.DisposeAsync();
}
