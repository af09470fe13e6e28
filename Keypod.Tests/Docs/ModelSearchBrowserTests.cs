using Keypod.Tests.Dashboard;
using Microsoft.Playwright;

namespace Keypod.Tests.Docs;

[Collection(DocsBrowserCollection.Name)]
public sealed class ModelSearchBrowserTests(DocsBrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_searches_by_name_filters_by_modality_and_copies_a_slug()
    {
        await using var context = await fixture.Chromium.NewContextAsync(fixture.App);
        var page = await fixture.SignedInPageAsync(context);
        await page.GotoAsync("/models");
        await Assertions.Expect(page.Locator("[data-testid=model-count]")).ToContainTextAsync("414 of 414 models");
        await Assertions.Expect(page.Locator("[data-testid=model-count]")).ToContainTextAsync("incl. 10% Keypod markup");

        await DocsBrowserTests.TypeUntilAsync(page, page.Input("model-search-text"), "claude haiku",
            page.Locator("tr[data-slug='anthropic/claude-haiku-4.5']"));
        await Assertions.Expect(page.Locator("[data-testid=model-count]")).ToContainTextAsync("of 414 models");
        var names = await page.Locator("tr[data-testid=model-row] .font-weight-medium").AllTextContentsAsync();
        names.Should().NotBeEmpty().And.OnlyContain(n => n.Contains("Claude", StringComparison.OrdinalIgnoreCase) && n.Contains("Haiku", StringComparison.OrdinalIgnoreCase));
        var haikuPrices = await page.Locator("tr[data-slug='anthropic/claude-haiku-4.5'] td.keypod-number").AllTextContentsAsync();
        haikuPrices.Should().Equal("$1.10", "$5.50", "$0.11");
        await page.ScreenshotAsync("model-search");

        await page.Input("model-search-text").FillAsync("");
        await page.ClickAsync("[data-testid=model-input-modality]");
        await page.Locator(".mud-popover-open .mud-list-item", new PageLocatorOptions { HasText = "audio" }).First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=model-count]")).ToContainTextAsync("38 of 414 models");
        var modalities = await page.Locator("tr[data-testid=model-row] td:nth-child(3)").AllTextContentsAsync();
        modalities.Should().HaveCount(25).And.OnlyContain(m => m.Split('→')[0].Contains("audio", StringComparison.Ordinal));

        var slug = await page.Locator("tr[data-testid=model-row]").First.GetAttributeAsync("data-slug");
        await page.Locator("tr[data-testid=model-row]").First.Locator("[data-testid=copy-slug]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar", new PageLocatorOptions { HasText = $"Copied {slug}" })).ToBeVisibleAsync();
        (await page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).Should().Be(slug);
    }
}
