using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Keypod.Core.Billing;
using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Management;

public sealed record StatementLine(string Key, string Name, long Requests, long PromptTokens, long CompletionTokens, long UnpricedRequests,
    decimal UpstreamCostUsd, decimal MarkupUsd, decimal BilledUsd);

public sealed record Statement(Guid ProjectId, string ProjectName, string Month, DateOnly From, DateOnly To,
    IReadOnlyList<StatementLine> Users, IReadOnlyList<StatementLine> Models, StatementLine Totals);

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
        var statement = await BuildAsync(db, projectId, from, context.RequestAborted);
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

    public static async Task<Statement?> BuildAsync(KeypodDbContext db, Guid projectId, DateOnly from, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => new { p.Id, p.Name }).FirstOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            return null;
        }
        var to = from.AddMonths(1);
        var byUser = await Sum(db.UsageUserDays.AsNoTracking().Where(r => r.ProjectId == projectId && r.Day >= from && r.Day < to)
            .GroupBy(r => r.UserId), cancellationToken);
        var byModel = await Sum(db.UsageModelDays.AsNoTracking().Where(r => r.ProjectId == projectId && r.Day >= from && r.Day < to)
            .GroupBy(r => r.Model), cancellationToken);
        var names = await db.Users.AsNoTracking().Where(u => u.ProjectId == projectId).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        var users = byUser.Select(t => Line(t.Key.ToString(), names.GetValueOrDefault(t.Key, "(deleted user)"), t.Totals))
            .OrderByDescending(l => l.BilledUsd).ThenBy(l => l.Name, StringComparer.Ordinal).ToList();
        var models = byModel.Select(t => Line(t.Key, t.Key, t.Totals)).OrderByDescending(l => l.BilledUsd).ThenBy(l => l.Key, StringComparer.Ordinal).ToList();
        var totals = Line("total", "Total", new Totals(
            users.Sum(u => u.Requests), users.Sum(u => u.PromptTokens), users.Sum(u => u.CompletionTokens), users.Sum(u => u.UnpricedRequests),
            users.Sum(u => u.UpstreamCostUsd), users.Sum(u => u.BilledUsd)));
        return new Statement(project.Id, project.Name, from.ToString("yyyy-MM", CultureInfo.InvariantCulture), from, to, users, models, totals);
    }

    sealed record Totals(long Requests, long PromptTokens, long CompletionTokens, long Unpriced, decimal Upstream, decimal Billed);

    static StatementLine Line(string key, string name, Totals t) =>
        new(key, name, t.Requests, t.PromptTokens, t.CompletionTokens, t.Unpriced, t.Upstream, t.Billed - t.Upstream, t.Billed);

    static async Task<List<(TKey Key, Totals Totals)>> Sum<TKey, TRollup>(IQueryable<IGrouping<TKey, TRollup>> groups, CancellationToken cancellationToken)
        where TRollup : RollupTotals
    {
        var rows = await groups.Select(g => new
        {
            g.Key,
            Requests = g.Sum(r => r.Requests),
            Prompt = g.Sum(r => r.PromptTokens),
            Completion = g.Sum(r => r.CompletionTokens),
            Unpriced = g.Sum(r => r.UnpricedRequests),
            Upstream = g.Sum(r => r.UpstreamCostUsd),
            Billed = g.Sum(r => r.BilledUsd),
        }).ToListAsync(cancellationToken);
        return rows.Select(r => (r.Key, new Totals(r.Requests, r.Prompt, r.Completion, r.Unpriced, r.Upstream, r.Billed))).ToList();
    }

    static void WriteCsv(CsvWriter csv, Statement statement)
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

/// <summary>
/// Writes CSV to the response with CsvHelper (invariant culture, RFC 4180 quoting), one chunk at a time so large
/// exports stream with flat memory and only asynchronous writes reach the socket.
/// </summary>
sealed class CsvResult(string fileName, Func<Func<Action<CsvWriter>, Task>, Task> write) : IResult
{
    public CsvResult(string fileName, Action<CsvWriter> writeAll) : this(fileName, writeChunk => writeChunk(writeAll))
    {
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = "text/csv; charset=utf-8";
        httpContext.Response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = fileName }.ToString();
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture);
        await write(async fill =>
        {
            await using var text = new StringWriter(CultureInfo.InvariantCulture);
            await using (var csv = new CsvWriter(text, configuration, leaveOpen: true))
            {
                csv.Context.TypeConverterOptionsCache.GetOptions<DateTime>().Formats = ["yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"];
                fill(csv);
            }
            await httpContext.Response.WriteAsync(text.ToString(), httpContext.RequestAborted);
        });
    }
}
