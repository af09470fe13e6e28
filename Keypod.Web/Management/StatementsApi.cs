using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Keypod.Core.Billing;
using Keypod.Core.Data;

namespace Keypod.Web.Management;

/// <summary>A month's statement per user and per model, from the daily rollups; JSON, or CSV with <c>.csv</c> or <c>Accept: text/csv</c>.</summary>
static class StatementsApi
{
    public static void MapStatementsApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/projects/{projectId:guid}/statements/{month:regex(^\\d{{4}}-\\d{{2}}$)}", GetAsync).WithTags("Billing");
        api.MapGet("/projects/{projectId:guid}/statements/{month:regex(^\\d{{4}}-\\d{{2}}$)}.csv",
            (Guid projectId, string month, HttpContext context, KeypodDbContext db) => GetAsync(projectId, month, context, db, csv: true)).WithTags("Billing");
    }

    static async Task<IResult> GetAsync(Guid projectId, string month, HttpContext context, KeypodDbContext db, bool csv = false)
    {
        if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
        {
            return ApiErrors.BadRequest("month must be yyyy-MM, such as 2026-11.");
        }
        var statement = await BillingReports.StatementAsync(db, projectId, from, context.RequestAborted);
        if (statement is null)
        {
            return ApiErrors.NotFound("Project");
        }
        if (csv || context.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return new CsvResult($"keypod-statement-{statement.ProjectName}-{month}.csv", writer => WriteCsv(writer, statement));
        }
        return TypedResults.Ok(statement);
    }

    public static void WriteCsv(CsvWriter csv, Statement statement)
    {
        foreach (var header in new[] { "section", "key", "name", "requests", "promptTokens", "completionTokens", "unpricedRequests", "upstreamCostUsd", "markupUsd", "billedUsd" })
        {
            csv.WriteField(header);
        }
        csv.NextRecord();
        foreach (var (section, line) in statement.Users.Select(u => ("user", u)).Concat(statement.Models.Select(m => ("model", m))).Append(("total", statement.Totals)))
        {
            csv.WriteField(section);
            csv.WriteField(line.Key);
            csv.WriteField(line.Name);
            csv.WriteField(line.Requests);
            csv.WriteField(line.PromptTokens);
            csv.WriteField(line.CompletionTokens);
            csv.WriteField(line.UnpricedRequests);
            csv.WriteField(MoneyText.Format(line.UpstreamCostUsd));
            csv.WriteField(MoneyText.Format(line.MarkupUsd));
            csv.WriteField(MoneyText.Format(line.BilledUsd));
            csv.NextRecord();
        }
    }
}
