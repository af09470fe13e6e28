using System.Diagnostics;
using System.Globalization;
using System.Text;
using Keypod.Core.Billing;
using Keypod.Tests.Dashboard;
using Keypod.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Keypod.Tests.Billing;

public sealed class LargeLedgerFixture : IAsyncLifetime
{
    public const int Rows = 1_000_000;

    public LargeLedgerSeed Seed { get; private set; } = null!;
    public TimeSpan SeedTime { get; private set; }
    public FakeOpenRouter Upstream { get; private set; } = null!;
    public KeypodApp App { get; private set; } = null!;
    public Chromium Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        Seed = await LargeLedgerSeed.CreateAsync(Rows);
        SeedTime = clock.Elapsed;
        Console.WriteLine($"Seeded {Rows:#,0} ledger rows in {SeedTime.TotalSeconds:0.0} s");
        Upstream = await FakeOpenRouter.StartAsync();
        App = new KeypodApp(Upstream, databasePath: Seed.Path);
        Chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }
    }
}

[CollectionDefinition(nameof(LargeLedgerBrowserTests), DisableParallelization = true)]
public sealed class LargeLedgerCollection;

/// <summary>
/// Acceptance: with a million ledger rows, each billing view and the request log's first page render in under a second,
/// timed in Chromium from navigation to the page's data marker showing the exact expected figure. Writes docs/benchmarks-ui.md.
/// </summary>
// Runs alone, after the parallel classes: seeding a million rows would slow every other test, and their load would blur the timings.
[Collection(nameof(LargeLedgerBrowserTests))]
public sealed class LargeLedgerBrowserTests(LargeLedgerFixture fixture) : IClassFixture<LargeLedgerFixture>
{
    static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Billing_views_and_the_request_log_render_in_under_a_second_over_a_million_rows()
    {
        var seed = fixture.Seed;
        var today = BillingReports.Today;
        var monthStart = BillingReports.MonthStart(today);
        var last30 = today.AddDays(-29);
        var (projectId, projectName, users) = seed.Projects[0];
        var userId = users[0];
        var lastMonth = monthStart.AddMonths(-1);

        var allMonth = seed.Totals(r => r.Day >= monthStart);
        var project30 = seed.Totals(r => r.ProjectId == projectId && r.Day >= last30);
        var statement = seed.Totals(r => r.ProjectId == projectId && r.Day >= lastMonth && r.Day < monthStart);
        var user = seed.Totals(r => r.ProjectId == projectId && r.UserId == userId && r.Day >= monthStart);
        statement.Unpriced.Should().BeGreaterThan(0, "the seed holds unpriced rows last month, so the statement must flag them");

        await using var context = await fixture.Chromium.NewContextAsync(fixture.App);
        var page = await context.NewPageAsync();
        var password = await DashboardSessions.InitialAdminPasswordAsync(fixture.App);
        await page.GotoAsync("/account/login");
        await page.FillAsync("#password", password);
        await page.ClickAsync("#local-sign-in");
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToBeVisibleAsync();

        var range30 = $"from={last30:yyyy-MM-dd}&to={today:yyyy-MM-dd}";
        var views = new (string Name, string Url, string Marker, string Expected)[]
        {
            ("Billing, all projects, month to date, by project", "/billing", "billing-total-requests", Count(allMonth.Requests)),
            ("Billing, one project, last 30 days, by user", $"/billing?project={projectId}&{range30}&by=user", "billing-total-requests", Count(project30.Requests)),
            ("Billing, one project, last 30 days, by model", $"/billing?project={projectId}&{range30}&by=model", "billing-total-requests", Count(project30.Requests)),
            ("Billing, one project, last 30 days, by day", $"/billing?project={projectId}&{range30}&by=day", "billing-total-requests", Count(project30.Requests)),
            ("Statement, one project, last month", $"/billing/statements/{projectId}/{lastMonth:yyyy-MM}", "billing-total-requests", Count(statement.Requests)),
            ("User page, month to date", $"/billing/projects/{projectId}/users/{userId}", "billing-total-requests", Count(user.Requests)),
            ("Request log, first page, all projects", "/usage/requests", "log-range", "1–50 of many"),
            ("Request log, first page, one project and user", $"/usage/requests?project={projectId}&user={userId}", "log-range", "1–50 of many"),
        };

        // One untimed visit so the first timing does not include the app's and the browser's cold start.
        await page.GotoAsync("/billing");
        await Assertions.Expect(page.Locator("[data-testid=billing-total-requests]")).ToBeVisibleAsync();

        var timings = new List<(string Name, string Url, TimeSpan Elapsed)>();
        foreach (var (name, url, marker, expected) in views)
        {
            await page.GotoAsync("about:blank");
            var clock = Stopwatch.StartNew();
            await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await Assertions.Expect(page.Locator($"[data-testid={marker}]")).ToHaveTextAsync(expected, new() { Timeout = 10_000 });
            timings.Add((name, url, clock.Elapsed));
            // The next navigation must not cut a circuit in the middle of its start.
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }

        await page.GotoAsync($"/billing/statements/{projectId}/{lastMonth:yyyy-MM}");
        await Assertions.Expect(page.Locator("[data-testid=unpriced-chip]")).ToContainTextAsync(Count(statement.Unpriced) + " unpriced");
        await Assertions.Expect(page.Locator("[data-testid=billing-total-billed]")).ToHaveTextAsync(Total(statement.Billed));
        await page.GotoAsync($"/billing?project={projectId}&{range30}&by=day");
        await Assertions.Expect(page.Locator("[data-testid=billing-total-requests]")).ToHaveTextAsync(Count(project30.Requests));
        await page.ScreenshotAsync("billing-large-ledger");

        WriteReport(timings, projectName);
        timings.Should().AllSatisfy(t => t.Elapsed.Should().BeLessThan(Budget, $"{t.Name} ({t.Url}) must render within a second"));
    }

    void WriteReport(List<(string Name, string Url, TimeSpan Elapsed)> timings, string projectName)
    {
        var report = new StringBuilder();
        report.AppendLine("# Dashboard render times over a large ledger");
        report.AppendLine();
        report.AppendLine("Written by `Keypod.Tests/Billing/LargeLedgerBrowserTests.cs` (`dotnet test Keypod.Tests --filter LargeLedgerBrowserTests`).");
        report.AppendLine(CultureInfo.InvariantCulture, $"The ledger holds {fixture.Seed.Rows:#,0} rows over {LargeLedgerSeed.Days} days, 3 projects, 36 users and 6 models,");
        report.AppendLine(CultureInfo.InvariantCulture, $"with their {fixture.Seed.Rollups.Count:#,0} daily rollups, seeded with raw prepared SQLite inserts in {fixture.SeedTime.TotalSeconds:0.0} s.");
        report.AppendLine("Each time runs in headless Chromium from navigation start to the page's data marker showing the exact expected");
        report.AppendLine("figure (the requests total, or \"1–50 of many\" for the request log), after one untimed warm-up visit; budget 1 s.");
        report.AppendLine(CultureInfo.InvariantCulture, $"\"One project\" is {projectName}, a third of the rows.");
        report.AppendLine();
        report.AppendLine("| view | time | within 1 s |");
        report.AppendLine("|---|---|---|");
        foreach (var (name, url, elapsed) in timings)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} (`{url.Split('?')[0]}`) | {elapsed.TotalMilliseconds:0} ms | {(elapsed < Budget ? "yes" : "**no**")} |");
        }
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores shared with other builds; Debug build.");
        File.WriteAllText(Path.Combine(Fixtures.RepositoryRoot, "docs", "benchmarks-ui.md"), report.ToString());
    }

    static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    static string Total(decimal value) => value != 0 && Math.Abs(value) < 0.01m
        ? "$" + value.ToString("#,0.00##########################", CultureInfo.InvariantCulture)
        : "$" + value.ToString("#,0.00", CultureInfo.InvariantCulture);
}
