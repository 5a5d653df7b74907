namespace Conversations.IntegrationTests.Browser;

/// <summary>What an answer's own HTML may draw in the chat page: model output is untrusted text.</summary>
[Collection(WebChatCollection.Name)]
public sealed class AnswerSafetyTests(WebChatFixture fx)
{
    [Fact(DisplayName = "An answer cannot draw form fields or buttons, nor pass its own link off as a citation; the page's own copy button and citations still work")]
    public async Task Answer_html_cannot_draw_controls()
    {
        const string answer = "Leave is sixteen weeks [leave#0].\n\n"
            + "<form action=\"/v1/me\"><input name=\"key\" placeholder=\"Re-enter your key\"><textarea name=\"t\"></textarea><button>Verify</button></form>\n\n"
            + "<a href=\"https://elsewhere.example/login\" class=\"cite\" data-cite=\"0\">sign in again</a> <button class=\"copy-code\" data-own=\"x\">Copy</button>\n\n"
            + "```bash\necho hello\n```\n";
        var (key, _) = await fx.NewReaderAsync();
        using var scripted = fx.AnswerWith(answer);
        await using var b = await ChatBrowser.OpenAsync(fx.BaseUrl);
        await b.SignInAsync(key);
        await b.AskAndWaitAsync("How long is parental leave?");
        var markdown = b.LastAnswer.Locator(".markdown");
        await markdown.Locator(".code-block").WaitForAsync();
        await b.ScreenshotAsync("answer-html-controls");

        Assert.Equal(0, await markdown.Locator("form, input, textarea").CountAsync());
        // One button: the copy button the page made for the code block, which copies it.
        Assert.Equal(1, await markdown.Locator("button").CountAsync());
        Assert.Equal(1, await markdown.Locator(".code-block button.copy-code").CountAsync());
        // The answer's own "citation" is an ordinary link: a new tab, no data-cite; the real citation is the only cite.
        var forged = markdown.Locator("a[href='https://elsewhere.example/login']");
        Assert.Equal("_blank", await forged.GetAttributeAsync("target"));
        Assert.Null(await forged.GetAttributeAsync("data-cite"));
        Assert.Equal(1, await markdown.Locator("a.cite").CountAsync());
        Assert.Equal(0, await markdown.Locator("[data-own]").CountAsync());
        await markdown.Locator("a.cite").ClickAsync();
        var passage = b.Page.Locator("dialog.passage");
        await passage.Locator(".markdown").WaitForAsync();
        Assert.Contains("sixteen weeks", await passage.InnerTextAsync());
    }

    [Fact(DisplayName = "An answer's HTML cannot use the page's own classes or ids: at phone width its 'drawer-open' scrim is a plain link in the answer, the composer still takes taps, and highlighted code keeps its colours")]
    public async Task Answer_html_cannot_use_the_pages_classes()
    {
        const string answer = "Leave is sixteen weeks.\n\n"
            + "<div class=\"drawer-open\" id=\"app\"><a class=\"scrim\" href=\"https://elsewhere.example/\">tap anywhere</a>"
            + "<div class=\"sidebar signin-card\">Sign in again</div></div>\n\n"
            + "```bash\necho hello # greet\n```\n";
        var (key, _) = await fx.NewReaderAsync();
        using var scripted = fx.AnswerWith(answer);
        await using var b = await ChatBrowser.OpenAsync(fx.BaseUrl, new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true,
        });
        await b.SignInAsync(key);
        await b.AskAndWaitAsync("How long is parental leave?");
        var markdown = b.LastAnswer.Locator(".markdown");
        await markdown.Locator(".code-block").WaitForAsync();
        await b.ScreenshotAsync("answer-html-page-classes");

        Assert.Equal(0, await markdown.Locator(".drawer-open, .scrim, .sidebar, .signin-card, [id]").CountAsync());
        Assert.Equal(1, await markdown.Locator("a[href='https://elsewhere.example/']").CountAsync());
        // The renderer's own classes stay: the code block and highlight.js's colours.
        Assert.True(await markdown.Locator(".code-block pre code.hljs .hljs-comment").CountAsync() > 0, "the code lost its highlighting");
        // The link is not laid over the screen: a tap on the composer reaches the composer.
        await b.Page.GetByLabel("Message", new() { Exact = true }).TapAsync();
        Assert.Equal("TEXTAREA", await b.Page.EvaluateAsync<string>("() => document.activeElement.tagName"));
    }
}
