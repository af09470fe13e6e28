using Bunit;
using Keypod.Core.Billing;
using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Keypod.Tests.Dashboard.Components;
using Keypod.Web.Components.Pages.Billing;
using Keypod.Web.Components.Pages.Usage;
using Keypod.Web.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keypod.Tests.Billing;

public sealed class BillingComponentTests : DashboardComponentContext
{
    [Fact]
    public void A_billing_table_shows_sub_cent_amounts_to_the_last_digit_and_totals_in_cents()
    {
        var line = new BillingLine("u1", "Ada", 3, 120, 40, 0, 0.00002415m, 0.000026565m);
        var other = new BillingLine("u2", "Grace", 2, 100, 50, 0, 12.5m, 13.75m);
        var totals = new BillingLine("total", "Total", 5, 220, 90, 0, 12.50002415m, 13.750026565m);

        var table = Render<BillingTable>(p => p.Add(t => t.Lines, [line, other]).Add(t => t.Totals, totals));

        var rows = table.FindAll("[data-testid=billing-row]");
        rows[0].TextContent.Should().Contain("$0.00002415").And.Contain("$0.000002415").And.Contain("$0.000026565");
        rows[1].TextContent.Should().Contain("$12.50").And.Contain("$1.25").And.Contain("$13.75");
        var footer = table.Find("tfoot").TextContent;
        footer.Should().Contain("$12.50").And.Contain("$1.25").And.Contain("$13.75").And.NotContain("13.750026565");
    }

    [Fact]
    public void Unpriced_requests_are_counted_and_flagged_never_shown_as_a_plain_zero()
    {
        var unpriced = new BillingLine("m", "acme/unlisted", 4, 10, 10, 4, 0m, 0m);
        var totals = new BillingLine("total", "Total", 4, 10, 10, 4, 0m, 0m);

        var summary = Render<BillingSummary>(p => p.Add(s => s.Totals, totals));
        var table = Render<BillingTable>(p => p.Add(t => t.Lines, [unpriced]).Add(t => t.Totals, totals));

        summary.Find("[data-testid=unpriced-chip]").TextContent.Should().Contain("4 unpriced or pending");
        table.Find("[data-testid=row-unpriced]").TextContent.Should().Contain("4 unpriced");

        var priced = Render<BillingSummary>(p => p.Add(s => s.Totals, totals with { UnpricedRequests = 0, BilledUsd = 1m }));
        priced.FindAll("[data-testid=unpriced-chip]").Should().BeEmpty();
    }

    [Fact]
    public async Task The_billing_page_reads_the_rollups_and_respects_project_membership()
    {
        SignInAsMember("viewer@example.com");
        var visible = await CreateProjectAsync("Visible");
        var hidden = await CreateProjectAsync("Hidden");
        await Administration.AddMemberAsync(visible.Id, "viewer@example.com", Keypod.Core.Projects.ProjectRole.Viewer);
        await using (var db = CreateDbContext())
        {
            var today = BillingReports.Today;
            var visibleUser = Guid.NewGuid();
            var hiddenUser = Guid.NewGuid();
            db.UsageRollups.AddRange(
                new UsageRollup { ProjectId = visible.Id, UserId = visibleUser, Model = "openai/gpt-5.2", Day = today, Requests = 2, UpstreamCostUsd = 0.00002415m, BilledUsd = 0.000026565m },
                new UsageRollup { ProjectId = hidden.Id, UserId = hiddenUser, Model = "secret/model", Day = today, Requests = 9, UpstreamCostUsd = 5m, BilledUsd = 5.5m });
            db.UsageUserDays.AddRange(
                new UsageUserDay { ProjectId = visible.Id, UserId = visibleUser, Day = today, Requests = 2, UpstreamCostUsd = 0.00002415m, BilledUsd = 0.000026565m },
                new UsageUserDay { ProjectId = hidden.Id, UserId = hiddenUser, Day = today, Requests = 9, UpstreamCostUsd = 5m, BilledUsd = 5.5m });
            db.UsageModelDays.AddRange(
                new UsageModelDay { ProjectId = visible.Id, Model = "openai/gpt-5.2", Day = today, Requests = 2, UpstreamCostUsd = 0.00002415m, BilledUsd = 0.000026565m },
                new UsageModelDay { ProjectId = hidden.Id, Model = "secret/model", Day = today, Requests = 9, UpstreamCostUsd = 5m, BilledUsd = 5.5m });
            db.UsageProjectDays.AddRange(
                new UsageProjectDay { ProjectId = visible.Id, Day = today, Requests = 2, UpstreamCostUsd = 0.00002415m, BilledUsd = 0.000026565m },
                new UsageProjectDay { ProjectId = hidden.Id, Day = today, Requests = 9, UpstreamCostUsd = 5m, BilledUsd = 5.5m });
            var month = BillingReports.MonthStart(today);
            db.UsageUserMonths.AddRange(
                new UsageUserMonth { ProjectId = visible.Id, UserId = visibleUser, Day = month, Requests = 2, UpstreamCostUsd = 0.00002415m, BilledUsd = 0.000026565m },
                new UsageUserMonth { ProjectId = hidden.Id, UserId = hiddenUser, Day = month, Requests = 9, UpstreamCostUsd = 5m, BilledUsd = 5.5m });
            db.UsageModelMonths.AddRange(
                new UsageModelMonth { ProjectId = visible.Id, Model = "openai/gpt-5.2", Day = month, Requests = 2, UpstreamCostUsd = 0.00002415m, BilledUsd = 0.000026565m },
                new UsageModelMonth { ProjectId = hidden.Id, Model = "secret/model", Day = month, Requests = 9, UpstreamCostUsd = 5m, BilledUsd = 5.5m });
            await db.SaveChangesAsync();
        }

        var page = Render<BillingPage>();

        page.WaitForAssertion(() => page.Find("[data-testid=billing-total-requests]").TextContent.Should().Be("2"));
        page.Find("[data-testid=billing-total-billed]").TextContent.Should().Be("$0.000026565");
        page.Markup.Should().NotContain("Hidden").And.NotContain("secret/model");
    }

    [Fact]
    public void The_live_page_re_renders_when_the_shared_aggregator_announces_new_rows()
    {
        Services.AddSingleton(provider =>
        {
            var factory = provider.GetRequiredService<IDbContextFactory<KeypodDbContext>>();
            return new LiveUsage(new UsageLedger(factory, NullLogger<UsageLedger>.Instance), factory, TimeProvider.System, NullLogger<LiveUsage>.Instance);
        });
        SignInAsAdmin();
        var live = Services.GetRequiredService<LiveUsage>();

        var page = Render<LiveUsagePage>();
        page.WaitForAssertion(() => page.Find("[data-testid=live-requests-hour]").TextContent.Should().Be("0"));

        live.OnCommitted([Row(0.000026565m), Row(0.0001m), Row(null, CostSource.Pending)]);

        page.WaitForAssertion(() =>
        {
            page.Find("[data-testid=live-requests-hour]").TextContent.Should().Be("3");
            page.Find("[data-testid=live-tokens-hour]").TextContent.Should().Be("45");
            page.Find("[data-testid=live-spend-hour]").TextContent.Should().Be("$0.000126565");
            page.Find("[data-testid=live-unpriced]").TextContent.Should().Contain("1 unpriced or pending");
        }, TimeSpan.FromSeconds(3));
    }

    static UsageRecord Row(decimal? billed, CostSource source = CostSource.Upstream) => new()
    {
        RequestId = Guid.NewGuid().ToString("N"),
        CreatedAt = DateTime.UtcNow,
        ProjectId = Guid.NewGuid(),
        UserId = Guid.NewGuid(),
        Endpoint = "chat/completions",
        Model = "openai/gpt-5.2",
        PromptTokens = 10,
        CompletionTokens = 5,
        BilledUsd = billed,
        UpstreamCostUsd = billed,
        CostSource = source,
    };
}
