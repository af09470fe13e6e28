using Keypod.Core.Billing;
using Keypod.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Management;

public sealed record UsageLine(string Key, long Requests, long PromptTokens, long CompletionTokens, long UnpricedRequests, decimal UpstreamCostUsd, decimal BilledUsd);

public sealed record UsageReport(DateOnly From, DateOnly To, string GroupBy, IReadOnlyList<UsageLine> Items, UsageLine Totals);

static class UsageApi
{
    public static void MapUsageApi(this IEndpointRouteBuilder api) =>
        api.MapGet("/projects/{projectId:guid}/usage", GetAsync).WithTags("Billing");

    /// <summary>Totals from the daily rollups. <c>from</c> is inclusive, <c>to</c> exclusive (UTC days); default: this month so far.</summary>
    static async Task<IResult> GetAsync(Guid projectId, DateTime? from, DateTime? to, string? groupBy, KeypodDbContext db, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var fromDay = from is { } f ? DateOnly.FromDateTime(f.ToUniversalTime()) : new DateOnly(today.Year, today.Month, 1);
        var toDay = to is { } t ? DateOnly.FromDateTime(t.ToUniversalTime()) : today.AddDays(1);
        if (toDay <= fromDay)
        {
            return ApiErrors.BadRequest("to must be after from.");
        }
        groupBy ??= "user";
        if (groupBy is not ("user" or "model" or "day"))
        {
            return ApiErrors.BadRequest("groupBy must be user, model or day.");
        }
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
        {
            return ApiErrors.NotFound("Project");
        }
        var group = groupBy switch
        {
            "model" => BillingGroup.Model,
            "day" => BillingGroup.Day,
            _ => BillingGroup.User,
        };
        var report = await BillingReports.ProjectAsync(db, projectId, fromDay, toDay, group, cancellationToken);
        return TypedResults.Ok(new UsageReport(fromDay, toDay, groupBy, [.. report.Lines.Select(Line)], Line(report.Totals)));
    }

    static UsageLine Line(BillingLine line) =>
        new(line.Key, line.Requests, line.PromptTokens, line.CompletionTokens, line.UnpricedRequests, line.UpstreamCostUsd, line.BilledUsd);
}
