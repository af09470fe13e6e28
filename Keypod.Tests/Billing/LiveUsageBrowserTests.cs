using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Keypod.Tests.Dashboard;
using Keypod.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Keypod.Tests.Billing;

/// <summary>
/// The local admin watches the live usage page and the request log while requests flow through the proxy: both change on
/// screen without a reload. Also takes the billing, live usage, request log and printed statement screenshots from that traffic.
/// </summary>
public sealed class LiveUsageBrowserTests(DashboardBrowserFixture fixture) : IClassFixture<DashboardBrowserFixture>
{
    const string HaikuFixture = "chat/chat_basic_chat_functionality_openrouter_claude-haiku-4-5_can_have_a_basic_conversation__0__200.json";
    const string GptFixture = "chat/chat_web_search_with_openrouter_openai_gpt-5_2_searches_transparently_returning_citations_and_usage_counters__0__200.json";

    static readonly TimeSpan LiveDeadline = TimeSpan.FromSeconds(2);

    KeypodApp App => fixture.Gateway.App;

    [Fact]
    public async Task Live_charts_and_the_request_log_follow_proxied_requests_without_a_reload()
    {
        var research = await App.CreateKeysAsync("Research team", markupPercent: 10m);
        var support = await App.CreateKeysAsync("Support bots", markupPercent: 25m);
        using var researchClient = App.CreateClient(research.Bearer);
        using var supportClient = App.CreateClient(support.Bearer);
        await SendAsync(researchClient, HaikuFixture, 2);
        await SendAsync(researchClient, GptFixture, 1);
        await SendAsync(supportClient, HaikuFixture, 1);

        await using var context = await fixture.Chromium.NewContextAsync(App);
        var page = await context.NewPageAsync();
        await SignInAsync(page);

        await page.GotoAsync("/usage/live");
        var requestsHour = page.Locator("[data-testid=live-requests-hour]");
        await Assertions.Expect(requestsHour).ToHaveTextAsync("4");
        var tokensBefore = Number(await page.Locator("[data-testid=live-tokens-hour]").InnerTextAsync());
        var spendBefore = await page.Locator("[data-testid=live-spend-hour]").InnerTextAsync();
        await Assertions.Expect(page.Locator("[data-testid=live-top-models]")).ToContainTextAsync("claude-4.5-haiku");
        await MarkPageAsync(page);

        await SendAsync(supportClient, HaikuFixture, 3);
        var sent = Stopwatch.StartNew();
        await Assertions.Expect(requestsHour).ToHaveTextAsync("7", new() { Timeout = (float)LiveDeadline.TotalMilliseconds });
        sent.Elapsed.Should().BeLessThan(LiveDeadline);
        Number(await page.Locator("[data-testid=live-tokens-hour]").InnerTextAsync()).Should().BeGreaterThan(tokensBefore);
        (await page.Locator("[data-testid=live-spend-hour]").InnerTextAsync()).Should().NotBe(spendBefore).And.StartWith("$");
        await Assertions.Expect(page.Locator("[data-testid=live-top-users]")).ToContainTextAsync("Support bots");
        await AssertNotReloadedAsync(page);
        await page.ScreenshotAsync("live-usage");

        await page.GotoAsync("/usage/requests");
        var range = page.Locator("[data-testid=log-range]");
        await Assertions.Expect(range).ToHaveTextAsync("1–7 of 7");
        await MarkPageAsync(page);
        await SendAsync(researchClient, GptFixture, 2);
        await Assertions.Expect(range).ToHaveTextAsync("1–9 of 9", new() { Timeout = (float)LiveDeadline.TotalMilliseconds });
        await AssertNotReloadedAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=log-model-cell]").First).ToContainTextAsync("gpt-5");

        await page.ClickUntilVisibleAsync("[data-testid=log-model-cell]", page.Locator("[data-testid=request-details]"));
        var ledger = await App.LedgerAsync(research.ProjectId);
        var newest = ledger[^1];
        await Assertions.Expect(page.Locator("[data-testid=details-generation]")).ToHaveTextAsync(newest.GenerationId!);
        await Assertions.Expect(page.Locator("[data-testid=details-billed]")).ToHaveTextAsync(Shown(newest.BilledUsd!.Value));
        await page.ScreenshotAsync("request-log");

        var billed = ledger.Sum(r => r.BilledUsd ?? 0m);
        await page.GotoAsync($"/billing?project={research.ProjectId}&by=model");
        await Assertions.Expect(page.Locator("[data-testid=billing-total-requests]")).ToHaveTextAsync(ledger.Count.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("[data-testid=billing-table] tfoot")).ToContainTextAsync(Cents(billed));
        await page.GotoAsync("/billing");
        await Assertions.Expect(page.Locator("[data-testid=billing-table]")).ToContainTextAsync("Support bots");
        await page.ScreenshotAsync("billing");

        await page.GotoAsync($"/billing/statements/{research.ProjectId}/{DateTime.UtcNow:yyyy-MM}");
        await Assertions.Expect(page.Locator("[data-testid=statement-users]")).ToContainTextAsync("Ada");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Assertions.Expect(page.Locator("[data-testid=statement-print]")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".mud-appbar")).ToBeHiddenAsync();
        await page.ScreenshotAsync("statement-print");
    }

    async Task SignInAsync(IPage page)
    {
        var password = await DashboardSessions.InitialAdminPasswordAsync(App);
        await page.GotoAsync("/account/login");
        await page.FillAsync("#password", password);
        await page.ClickAsync("#local-sign-in");
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToBeVisibleAsync();
    }

    /// <summary>A reload would drop this window property; its survival proves the page changed in place.</summary>
    static Task MarkPageAsync(IPage page) => page.EvaluateAsync("() => window.keypodTestMarker = 'still here'");

    static async Task AssertNotReloadedAsync(IPage page) =>
        (await page.EvaluateAsync<string?>("() => window.keypodTestMarker ?? null")).Should().Be("still here", "the page must update without a reload");

    static async Task SendAsync(HttpClient client, string capture, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"anthropic/claude-haiku-4.5","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(FakeOpenRouter.FixtureHeader, capture);
            using var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    static string Shown(decimal value) => "$" + value.ToString("#,0.00##########################", CultureInfo.InvariantCulture);

    static string Cents(decimal value) => value < 0.01m ? Shown(value) : "$" + value.ToString("#,0.00", CultureInfo.InvariantCulture);
}
