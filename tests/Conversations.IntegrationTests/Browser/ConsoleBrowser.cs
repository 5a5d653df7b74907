using Microsoft.Playwright;

namespace Conversations.IntegrationTests.Browser;

/// <summary>Debian's Chromium driven by Playwright, with one page signed in to the admin console at /admin/, and the scenario's screenshots.</summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    /// <summary>Debian's Chromium (deploy/test.sh installs it).</summary>
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Where each scenario's screenshots are kept: the test output's artifacts/screenshots.</summary>
    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    /// <summary>The browser context.</summary>
    public IBrowserContext Context { get; }

    /// <summary>The console page.</summary>
    public IPage Page { get; }

    /// <summary>Script errors the page raised and errors it logged to the console, as they happened.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Opens the console at <paramref name="baseUrl"/>/admin/ in a new browser (English UI, desktop size) and signs in with <paramref name="key"/>.</summary>
    public static async Task<ConsoleBrowser> SignInAsync(string baseUrl, string key, ColorScheme scheme = ColorScheme.Light)
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is required (deploy/test.sh installs it)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl, Locale = "en-US", ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, ColorScheme = scheme,
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync(); // confirm() before deletions
        var console = new ConsoleBrowser(playwright, browser, context, page);
        page.PageError += (_, error) => console.Errors.Add(error);
        page.Console += (_, message) => { if (message.Type == "error") console.Errors.Add(message.Text); };
        await page.GotoAsync("/admin/");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.Locator(".sidebar").WaitForAsync();
        return console;
    }

    /// <summary>Opens a section by its hash route (e.g. "usage") and waits for its title.</summary>
    public async Task OpenAsync(string section, string title)
    {
        await Page.GotoAsync($"/admin/#/{section}");
        await Page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 }).WaitForAsync();
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
