namespace Conversations.IntegrationTests.Browser;

/// <summary>The admin console at /admin/ in a <see cref="BrowserSession"/>, signed in, with the steps its scenarios share.</summary>
public sealed class ConsoleBrowser(BrowserSession session) : IAsyncDisposable
{
    /// <summary>The console page.</summary>
    public IPage Page => session.Page;

    /// <summary>Script errors the page raised and errors it logged to the console, as they happened.</summary>
    public List<string> Errors => session.Errors;

    /// <summary>Opens the console at <paramref name="baseUrl"/>/admin/ in a new browser (English UI, desktop size) and signs in with <paramref name="key"/>.</summary>
    public static async Task<ConsoleBrowser> SignInAsync(string baseUrl, string key, ColorScheme scheme = ColorScheme.Light)
    {
        var session = await BrowserSession.OpenAsync(baseUrl, "/admin/", new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, ColorScheme = scheme,
        }, TimeSpan.FromSeconds(30));
        await session.SubmitKeyAsync(key);
        await session.Page.Locator(".sidebar").WaitForAsync();
        return new ConsoleBrowser(session);
    }

    /// <summary>Opens a section by its hash route (e.g. "usage") and waits for its title.</summary>
    public async Task OpenAsync(string section, string title)
    {
        await Page.GotoAsync($"/admin/#/{section}");
        await Page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 }).WaitForAsync();
    }

    /// <summary>Saves a screenshot of the page (the whole scrolled page when <paramref name="fullPage"/>) as artifacts/screenshots/NAME.png.</summary>
    public Task ScreenshotAsync(string name, bool fullPage = false) => session.ScreenshotAsync(name, fullPage);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => session.DisposeAsync();
}
