using Keypod.Tests.Dashboard;
using Microsoft.Playwright;

namespace Keypod.Tests.Docs;

[Collection(DocsBrowserCollection.Name)]
public sealed class DocsBrowserTests(DocsBrowserFixture fixture)
{
    static readonly string[] Sections = ["overview", "get-started", "notes", "examples", "find-models", "pricing", "base-url"];
    static readonly string[] Examples = ["example-curl", "example-python", "example-javascript", "example-csharp", "example-openrouter-sdk", "base-url-endpoint"];

    [Fact]
    public async Task Signed_out_the_docs_show_every_section_and_example_with_this_hosts_base_url_and_copy_them()
    {
        await using var context = await fixture.Chromium.NewContextAsync(fixture.App);
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync("/docs");
        response!.Status.Should().Be(200);
        page.Url.Should().EndWith("/docs", "the docs need no sign-in");
        foreach (var section in Sections)
        {
            await Assertions.Expect(page.Locator($"section#{section}")).ToBeVisibleAsync();
        }
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("API Documentation");
        await Assertions.Expect(page.Locator("[data-testid=notes-base-url]")).ToHaveTextAsync(fixture.ExpectedBaseUrl);
        await Assertions.Expect(page.Locator("[data-testid=pricing-markup]")).ToContainTextAsync("10%");
        await Assertions.Expect(page.Locator("[data-testid=pricing-client-cost]")).ToContainTextAsync("keypod_upstream_cost");
        await Assertions.Expect(page.Locator("[data-testid=colour-guide] .ph-key")).ToHaveTextAsync("kp_proj_xxxxxxxx:user_xxxxxxxx");
        await page.ScreenshotAsync("docs");
        await page.Locator("#examples").ScrollIntoViewIfNeededAsync();
        await page.EvaluateAsync("() => document.getElementById('examples').scrollIntoView()");
        await page.ScreenshotAsync("docs-examples");

        foreach (var example in Examples)
        {
            var code = page.Locator($"#{example}-code");
            var text = await code.TextContentAsync();
            text.Should().Contain(fixture.ExpectedBaseUrl, $"{example} targets this deployment");
            var colours = await code.Locator("span").EvaluateAllAsync<string[]>("spans => [...new Set(spans.map(s => getComputedStyle(s).color))]");
            colours.Should().HaveCount(example == "base-url-endpoint" ? 1 : 3, $"{example} colours each kind of placeholder in its own colour");

            await page.ClickAsync($"[data-testid=copy-{example}]");
            await Assertions.Expect(page.Locator($"[data-testid=copy-{example}]")).ToHaveTextAsync("Copied");
            (await page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).Should().Be(text);
        }
        await Assertions.Expect(page.Locator("#docs-copy-status")).ToContainTextAsync("copied to the clipboard");
    }

    [Fact]
    public async Task Signed_out_the_embedded_model_search_finds_a_model_and_copies_its_slug()
    {
        await using var context = await fixture.Chromium.NewContextAsync(fixture.App);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/docs#find-models");

        var search = page.Locator("#find-models").Input("model-search-text");
        await TypeUntilAsync(page, search, "gpt audio mini", page.Locator("#find-models tr[data-slug='openai/gpt-audio-mini']"));
        await page.ClickAsync("#find-models tr[data-slug='openai/gpt-audio-mini'] [data-testid=copy-slug]");

        await Assertions.Expect(page.Locator(".mud-snackbar", new PageLocatorOptions { HasText = "Copied openai/gpt-audio-mini" })).ToBeVisibleAsync();
        (await page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).Should().Be("openai/gpt-audio-mini");
    }

    [Fact]
    public async Task Signed_in_the_examples_carry_the_readers_project_key_prefix()
    {
        await using var context = await fixture.Chromium.NewContextAsync(fixture.App);
        var page = await fixture.SignedInPageAsync(context);

        await page.GotoAsync("/docs");

        var prefix = fixture.Keys.ProjectKey[.."kp_proj_".Length] + fixture.Keys.ProjectKey["kp_proj_".Length..][..4];
        await Assertions.Expect(page.Locator("[data-testid=docs-reader-key]")).ToContainTextAsync("Research team");
        (await page.Locator("#example-curl-code").TextContentAsync()).Should().Contain($"Bearer {prefix}…:user_xxxxxxxx");
        (await page.ContentAsync()).Should().NotContain(fixture.Keys.ProjectKey);
    }

    /// <summary>The island's circuit may connect after the first keystrokes; type again until the result shows.</summary>
    internal static async Task TypeUntilAsync(IPage page, ILocator input, string text, ILocator appears)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await input.FillAsync(text);
            try
            {
                await appears.First.WaitForAsync(new LocatorWaitForOptions { Timeout = 1000 });
                return;
            }
            catch (TimeoutException)
            {
                await input.FillAsync("");
            }
        }
        throw new TimeoutException($"Typing '{text}' never showed what it should.");
    }
}

static class LocatorInputs
{
    public static ILocator Input(this ILocator scope, string testId) => scope.Locator($"input[data-testid={testId}], [data-testid={testId}] input");
}
