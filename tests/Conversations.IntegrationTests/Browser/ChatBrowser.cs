using Microsoft.Playwright;

namespace Conversations.IntegrationTests.Browser;

/// <summary>Debian's Chromium driven by Playwright, with one page signed in to the chat, and the scenario's screenshots.</summary>
public sealed class ChatBrowser : IAsyncDisposable
{
    /// <summary>Debian's Chromium (deploy/test.sh installs it).</summary>
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Where each scenario's screenshots are kept: the test output's artifacts/screenshots.</summary>
    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ChatBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    /// <summary>The browser context (viewport, colour scheme, network).</summary>
    public IBrowserContext Context { get; }

    /// <summary>The chat page.</summary>
    public IPage Page { get; }

    /// <summary>Opens the chat at <paramref name="baseUrl"/> in a new browser (English UI, desktop size unless given).</summary>
    public static async Task<ChatBrowser> OpenAsync(string baseUrl, BrowserNewContextOptions? options = null)
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is required (deploy/test.sh installs it)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        options ??= new BrowserNewContextOptions();
        options.Locale ??= "en-US";
        options.ViewportSize ??= new ViewportSize { Width = 1280, Height = 800 };
        options.BaseURL = baseUrl;
        var context = await browser.NewContextAsync(options);
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GotoAsync("/");
        return new ChatBrowser(playwright, browser, context, page);
    }

    /// <summary>Signs in with a key and waits for the composer.</summary>
    public async Task SignInAsync(string key)
    {
        await Page.GetByLabel("API key").FillAsync(key);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
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

    /// <summary>Saves a screenshot of the page as artifacts/screenshots/NAME.png.</summary>
    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png") });
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
