using Microsoft.Playwright;

namespace Conversations.IntegrationTests.Browser;

/// <summary>The web page driven by headless Chromium against a real platform process.</summary>
[Collection(PlatformCollection.Name)]
public sealed class WebPageTests(PlatformFixture fx)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact(DisplayName = "A user connects with a key, starts a conversation, sends a message and sees the streamed answer")]
    public async Task Chat_in_the_browser()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is required (deploy/test.sh installs it)");
        var (_, userKey) = await fx.NewTenantKeysAsync("web");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(fx.BaseUrl);
        await page.FillAsync("#api-key", userKey);
        await page.ClickAsync("#key-form button");
        await page.WaitForSelectorAsync("#new-conversation:not([disabled])");
        await page.ClickAsync("#new-conversation");
        await page.WaitForSelectorAsync("#message:not([disabled])");

        await page.FillAsync("#message", "The library closes at nine tonight.");
        await page.ClickAsync("#send");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').textContent.startsWith('Done')");
        await page.FillAsync("#message", "When does the library close?");
        await page.ClickAsync("#send");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.msg.assistant').length === 2 && document.querySelector('#status').textContent.startsWith('Done')");

        var answer = await page.InnerTextAsync(".msg.assistant >> nth=1");
        Assert.Contains("closes at nine", answer);
        Assert.Equal(1, await page.Locator("#conversations li").CountAsync());
        Directory.CreateDirectory(Path.Combine(RepoPaths.Root, ".local"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Root, ".local", "web-page.png") });
    }
}
