namespace Conversations.IntegrationTests.Browser;

/// <summary>The chat page on a platform whose model reads no images (the default: no <c>Models:Chat:Vision</c>).</summary>
public sealed class ChatWithoutImagesTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "Where no model reads images, /v1/me says so and the chat offers no image attachment (a question with one would only be refused)")]
    public async Task No_attachment_without_a_vision_model()
    {
        using var user = await fx.NewUserAsync("noimg");
        Assert.False((await user.GetJsonAsync("/v1/me"))["readsImages"]!.GetValue<bool>());
        await using var b = await ChatBrowser.OpenAsync(fx.BaseUrl);
        await b.SignInAsync(user.Key);
        Assert.Equal(0, await b.Page.GetByRole(AriaRole.Button, new() { Name = "Attach an image" }).CountAsync());
        Assert.Equal(0, await b.Page.Locator("[data-testid=image-picker]").CountAsync());
        Assert.Empty(b.Errors);
    }
}
