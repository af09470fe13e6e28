using Deque.AxeCore.Playwright;
using Keypod.Tests.Dashboard;
using Microsoft.Playwright;

namespace Keypod.Tests.Docs;

/// <summary>axe-core over the main pages: nothing "serious" or "critical" may be found. Add a page by adding a row.</summary>
[Collection(DocsBrowserCollection.Name)]
public sealed class AccessibilityBrowserTests(DocsBrowserFixture fixture)
{
    /// <summary>Path (<c>{project}</c> = the fixture project's id), whether to sign in as the local admin first, and what shows once it rendered.</summary>
    public static TheoryData<string, bool, string> Pages => new()
    {
        { "/docs", false, "#examples" },
        { "/account/login", false, "#local-sign-in" },
        { "/docs", true, "[data-testid=docs-reader-key]" },
        { "/models", true, "[data-testid=model-row]" },
        { "/", true, "[data-testid=projects-table]" },
        { "/projects/{project}", true, "[data-testid=project-title]" },
        { "/billing", true, "[data-testid=billing-total-requests]" },
        { "/billing/statements/{project}/{month}", true, "[data-testid=statement-csv]" },
        { "/usage/live", true, "[data-testid=live-requests-hour]" },
        { "/usage/requests", true, "[data-testid=request-log]" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_has_no_serious_or_critical_accessibility_violations(string path, bool signedIn, string rendered)
    {
        await using var context = await fixture.Chromium.NewContextAsync(fixture.App);
        var page = signedIn ? await fixture.SignedInPageAsync(context) : await context.NewPageAsync();

        await page.GotoAsync(path.Replace("{project}", fixture.Keys.ProjectId.ToString(), StringComparison.Ordinal)
            .Replace("{month}", DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await page.Locator(rendered).First.WaitForAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var result = await page.RunAxe();

        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Target + " " + n.Html))}")
            .ToList();
        blocking.Should().BeEmpty($"{path} should pass axe");
        result.Passes.Should().NotBeEmpty("axe really ran over the page");
    }
}
