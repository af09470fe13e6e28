using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Keypod.Core.Billing;
using Keypod.Core.Ledger;
using Keypod.Tests.Gateway;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Management;

public sealed class StatementTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    static string ThisMonth => DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_months_statement_breaks_spend_down_by_user_and_model()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);
        await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
        await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("""{"stream":true}"""));
        var rows = await fixture.App.LedgerAsync(keys.ProjectId);
        using var admin = fixture.App.CreateAdminClient();

        var statement = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/statements/{ThisMonth}");

        var user = statement.GetProperty("users").EnumerateArray().Should().ContainSingle().Subject;
        user.GetProperty("name").GetString().Should().Be("Ada");
        user.GetProperty("requests").GetInt64().Should().Be(2);
        var upstream = rows.Sum(r => r.UpstreamCostUsd!.Value);
        var billed = rows.Sum(r => r.BilledUsd!.Value);
        user.GetProperty("upstreamCostUsd").GetDecimal().Should().Be(upstream);
        user.GetProperty("billedUsd").GetDecimal().Should().Be(billed);
        user.GetProperty("markupUsd").GetDecimal().Should().Be(billed - upstream);
        statement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("key").GetString())
            .Should().BeEquivalentTo(rows.Select(r => r.ServedModel).Distinct());
        statement.GetProperty("totals").GetProperty("billedUsd").GetDecimal().Should().Be(billed);

        var empty = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/statements/2001-01");
        empty.GetProperty("totals").GetProperty("requests").GetInt64().Should().Be(0);
        (await admin.GetAsync($"/api/v1/projects/{keys.ProjectId}/statements/2026-13")).StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Statements_and_requests_export_as_csv()
    {
        var keys = await fixture.App.CreateKeysAsync("CSV, \"quoted\" project");
        using var client = fixture.App.CreateClient(keys.Bearer);
        await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
        using var admin = fixture.App.CreateAdminClient();

        var statementCsv = await admin.GetStringAsync($"/api/v1/projects/{keys.ProjectId}/statements/{ThisMonth}.csv");
        var lines = statementCsv.TrimEnd().Split("\r\n");
        lines[0].Should().Be("section,key,name,requests,promptTokens,completionTokens,unpricedRequests,upstreamCostUsd,markupUsd,billedUsd");
        lines.Should().Contain(l => l.StartsWith("user,", StringComparison.Ordinal) && l.EndsWith("," + row.BilledUsd!.Value.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        lines[^1].Should().StartWith("total,");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/projects/{keys.ProjectId}/statements/{ThisMonth}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var negotiated = await admin.SendAsync(request);
        negotiated.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");

        var requestsCsv = await admin.GetStringAsync($"/api/v1/projects/{keys.ProjectId}/requests.csv");
        var requestLines = requestsCsv.TrimEnd().Split("\r\n");
        requestLines.Should().HaveCount(2);
        requestLines[0].Should().StartWith("Id,RequestId,CreatedAt,UserId");
        requestLines[1].Should().Contain(row.RequestId).And.Contain(row.GenerationId!);
    }

    [Fact]
    public async Task The_coarser_rollups_agree_with_the_fine_rollups_after_a_revision()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);
        await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
        await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("""{"stream":true}"""));
        var rows = await fixture.App.LedgerAsync(keys.ProjectId);
        // A later price that also changes the served model moves the row between model rollups.
        var ledger = fixture.App.Services.GetRequiredService<UsageLedger>();
        await ledger.ReviseAsync(new CostRevision(rows[0].RequestId, CostSource.Generation, 0.00012345m, 0.000135795m, ServedModel: "test/revised-model"));
        await ledger.FlushAsync();

        await using var db = await fixture.App.CreateDbContextAsync();
        var fine = await db.UsageRollups.AsNoTracking().Where(r => r.ProjectId == keys.ProjectId).ToListAsync();
        var byUser = await db.UsageUserDays.AsNoTracking().Where(r => r.ProjectId == keys.ProjectId).ToListAsync();
        var byModel = await db.UsageModelDays.AsNoTracking().Where(r => r.ProjectId == keys.ProjectId).ToListAsync();
        var byProject = await db.UsageProjectDays.AsNoTracking().Where(r => r.ProjectId == keys.ProjectId).ToListAsync();
        var byUserMonth = await db.UsageUserMonths.AsNoTracking().Where(r => r.ProjectId == keys.ProjectId).ToListAsync();
        var byModelMonth = await db.UsageModelMonths.AsNoTracking().Where(r => r.ProjectId == keys.ProjectId).ToListAsync();
        var expectedUsers = fine.GroupBy(r => (r.Day, r.UserId))
            .Select(g => (g.Key.Day, Key: g.Key.UserId.ToString(), Requests: g.Sum(r => r.Requests), Upstream: g.Sum(r => r.UpstreamCostUsd), Billed: g.Sum(r => r.BilledUsd)));
        var expectedModels = fine.GroupBy(r => (r.Day, r.Model))
            .Select(g => (g.Key.Day, Key: g.Key.Model, Requests: g.Sum(r => r.Requests), Upstream: g.Sum(r => r.UpstreamCostUsd), Billed: g.Sum(r => r.BilledUsd)))
            .Where(t => t.Requests != 0);
        byUser.Select(r => (r.Day, Key: r.UserId.ToString(), r.Requests, Upstream: r.UpstreamCostUsd, Billed: r.BilledUsd)).Should().BeEquivalentTo(expectedUsers);
        byModel.Where(r => r.Requests != 0).Select(r => (r.Day, Key: r.Model, r.Requests, Upstream: r.UpstreamCostUsd, Billed: r.BilledUsd))
            .Should().BeEquivalentTo(expectedModels);
        byModel.Should().Contain(r => r.Model == "test/revised-model" && r.Requests == 1 && r.UpstreamCostUsd == 0.00012345m);
        byProject.Select(r => (r.Day, r.Requests, Upstream: r.UpstreamCostUsd, Billed: r.BilledUsd)).Should().BeEquivalentTo(
            fine.GroupBy(r => r.Day).Select(g => (Day: g.Key, Requests: g.Sum(r => r.Requests), Upstream: g.Sum(r => r.UpstreamCostUsd), Billed: g.Sum(r => r.BilledUsd))));
        byUserMonth.Select(r => (r.Day, Key: r.UserId.ToString(), r.Requests, Upstream: r.UpstreamCostUsd, Billed: r.BilledUsd)).Should().BeEquivalentTo(
            fine.GroupBy(r => (Month: BillingReports.MonthStart(r.Day), r.UserId))
                .Select(g => (Day: g.Key.Month, Key: g.Key.UserId.ToString(), Requests: g.Sum(r => r.Requests), Upstream: g.Sum(r => r.UpstreamCostUsd), Billed: g.Sum(r => r.BilledUsd))));
        byModelMonth.Where(r => r.Requests != 0).Select(r => (r.Day, Key: r.Model, r.Requests, Upstream: r.UpstreamCostUsd, Billed: r.BilledUsd)).Should().BeEquivalentTo(
            fine.GroupBy(r => (Month: BillingReports.MonthStart(r.Day), r.Model))
                .Select(g => (Day: g.Key.Month, Key: g.Key.Model, Requests: g.Sum(r => r.Requests), Upstream: g.Sum(r => r.UpstreamCostUsd), Billed: g.Sum(r => r.BilledUsd)))
                .Where(t => t.Requests != 0));
        byModelMonth.Should().Contain(r => r.Model == "test/revised-model" && r.Requests == 1 && r.UpstreamCostUsd == 0.00012345m);
        byUser.Sum(r => r.BilledUsd).Should().Be((await fixture.App.LedgerAsync(keys.ProjectId)).Sum(r => r.BilledUsd ?? 0m));
    }
}
