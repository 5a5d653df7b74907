namespace Conversations.IntegrationTests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright: one headless browser with one page at the platform, the script errors the
/// page raised, and the scenario's screenshots. The chat and console drivers add their own pages' steps on top.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>Debian's Chromium (deploy/test.sh installs it).</summary>
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Where each scenario's screenshots are kept: the test output's artifacts/screenshots.</summary>
    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
        // The pages ask in their own dialog; a browser dialog (alert, confirm) would be a regression, and is dismissed.
        page.Dialog += (_, dialog) => { lock (Errors) Errors.Add($"browser dialog: {dialog.Message}"); _ = dialog.DismissAsync(); };
        page.PageError += (_, error) => { lock (Errors) Errors.Add(error); };
        page.Console += (_, message) => { if (message.Type == "error") lock (Errors) Errors.Add(message.Text); };
    }

    /// <summary>The browser context (viewport, colour scheme, network).</summary>
    public IBrowserContext Context { get; }

    /// <summary>The one page.</summary>
    public IPage Page { get; }

    /// <summary>Script errors the page raised and errors it logged to the console, as they happened.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>
    /// Opens <paramref name="path"/> of the platform at <paramref name="baseUrl"/> in a new browser: English UI and a
    /// desktop viewport unless <paramref name="options"/> says otherwise; steps wait at most <paramref name="timeout"/>.
    /// </summary>
    public static async Task<BrowserSession> OpenAsync(string baseUrl, string path, BrowserNewContextOptions? options, TimeSpan timeout)
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
        context.SetDefaultTimeout((float)timeout.TotalMilliseconds);
        var session = new BrowserSession(playwright, browser, context, await context.NewPageAsync());
        await session.Page.GotoAsync(path);
        return session;
    }

    /// <summary>Types <paramref name="key"/> into the sign-in form and submits it.</summary>
    public async Task SubmitKeyAsync(string key)
    {
        await Page.GetByLabel("API key").FillAsync(key);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Saves a screenshot of the page (the whole scrolled page when <paramref name="fullPage"/>) as artifacts/screenshots/NAME.png.</summary>
    public async Task ScreenshotAsync(string name, bool fullPage = false)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = fullPage });
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
