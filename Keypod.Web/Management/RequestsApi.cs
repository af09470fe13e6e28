using System.Globalization;
using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Management;

public sealed record LedgerRow(
    long Id, string RequestId, DateTime CreatedAt, Guid UserId, string Endpoint, string? Model, string? ServedModel, string? Provider,
    string? GenerationId, bool Stream, int Status, Outcome Outcome, string? Error, int PromptTokens, int CompletionTokens,
    int CachedTokens, int CacheWriteTokens, int ReasoningTokens, decimal? UpstreamCostUsd, decimal MarkupPercent, decimal? BilledUsd,
    CostSource CostSource, int LatencyMs, int? TimeToFirstTokenMs);

public sealed record LedgerPage(IReadOnlyList<LedgerRow> Items, string? NextCursor);

static class RequestsApi
{
    public const int MaxLimit = 10_000;

    public static void MapRequestsApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/projects/{projectId:guid}/requests", ListAsync).WithTags("Ledger");
        api.MapGet("/projects/{projectId:guid}/requests.csv", ExportAsync).WithTags("Ledger");
    }

    /// <summary>
    /// Every ledger row of a time range as CSV (<c>from</c> inclusive, <c>to</c> exclusive, UTC), oldest first,
    /// read in pages so memory stays flat however large the range.
    /// </summary>
    static async Task<IResult> ExportAsync(Guid projectId, DateTime? from, DateTime? to, Guid? userId, KeypodDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
        {
            return ApiErrors.NotFound("Project");
        }
        var fromUtc = from?.ToUniversalTime() ?? DateTime.MinValue;
        var toUtc = to?.ToUniversalTime() ?? DateTime.MaxValue;
        return new CsvResult($"keypod-requests-{projectId}.csv", async writeChunk =>
        {
            await writeChunk(csv =>
            {
                csv.WriteHeader<LedgerRow>();
                csv.NextRecord();
            });
            long after = 0;
            while (true)
            {
                var query = db.UsageRecords.AsNoTracking().Where(r => r.ProjectId == projectId && r.Id > after && r.CreatedAt >= fromUtc && r.CreatedAt < toUtc);
                if (userId is { } user)
                {
                    query = query.Where(r => r.UserId == user);
                }
                var page = await Project(query.OrderBy(r => r.Id).Take(5000)).ToListAsync(cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }
                await writeChunk(csv =>
                {
                    foreach (var row in page)
                    {
                        csv.WriteRecord(row);
                        csv.NextRecord();
                    }
                });
                after = page[^1].Id;
            }
        });
    }

    static IQueryable<LedgerRow> Project(IQueryable<UsageRecord> query) => query.Select(r => new LedgerRow(
        r.Id, r.RequestId, r.CreatedAt, r.UserId, r.Endpoint, r.Model, r.ServedModel, r.Provider, r.GenerationId, r.Stream, r.Status,
        r.Outcome, r.ErrorMessage, r.PromptTokens, r.CompletionTokens, r.CachedTokens, r.CacheWriteTokens, r.ReasoningTokens,
        r.UpstreamCostUsd, r.MarkupPercent, r.BilledUsd, r.CostSource, r.LatencyMs, r.TimeToFirstTokenMs));

    /// <summary>Newest first; <c>cursor</c> is the <c>nextCursor</c> of the previous page.</summary>
    static async Task<IResult> ListAsync(Guid projectId, int? limit, string? cursor, Guid? userId, KeypodDbContext db, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return ApiErrors.BadRequest($"limit must be between 1 and {MaxLimit}.");
        }
        long? before = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return ApiErrors.BadRequest("cursor is not valid: pass the nextCursor of the previous page.");
            }
            before = parsed;
        }
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
        {
            return ApiErrors.NotFound("Project");
        }
        var take = limit ?? 100;
        var query = db.UsageRecords.AsNoTracking().Where(r => r.ProjectId == projectId);
        if (userId is { } user)
        {
            query = query.Where(r => r.UserId == user);
        }
        if (before is { } id)
        {
            query = query.Where(r => r.Id < id);
        }
        var rows = await Project(query.OrderByDescending(r => r.Id).Take(take)).ToListAsync(cancellationToken);
        var next = rows.Count == take ? rows[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new LedgerPage(rows, next));
    }
}
