using System.Net;
using Keypod.Core.Configuration;
using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Keypod.Core.Pricing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Keypod.Core.Billing;

/// <summary>
/// Prices ledger rows that their response could not: <see cref="CostSource.Pending"/> rows (no usage arrived — a cut
/// stream, a client gone, a crash) from OpenRouter's generation record, polled with backoff since it appears a second
/// or two late; failing that, from the catalog price of the served model × tokens; failing that, the row is
/// <see cref="CostSource.Unpriced"/> — visible as such, and tried again when the catalog refreshes.
/// </summary>
public sealed partial class CostResolver(
    IOpenRouterApi openRouter,
    PricingCatalog catalog,
    UsageLedger ledger,
    IDbContextFactory<KeypodDbContext> dbFactory,
    IOptions<KeypodOptions> options,
    TimeProvider time,
    ILogger<CostResolver> logger) : BackgroundService
{
    /// <summary>Waits between generation lookups, doubling from half a second, within the configured window.</summary>
    readonly TimeSpan[] Backoff = BackoffWithin(options.Value.Pricing.GenerationLookupWindow);

    static TimeSpan[] BackoffWithin(TimeSpan window)
    {
        var waits = new List<TimeSpan>();
        var wait = TimeSpan.FromSeconds(0.5);
        for (var total = TimeSpan.Zero; total + wait <= window; total += wait, wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromMinutes(1).Ticks)))
        {
            waits.Add(wait);
        }
        return waits.Count > 0 ? [.. waits] : [window];
    }

    const int MaxConcurrentLookups = 8;
    static readonly TimeSpan UnpricedRetryWindow = TimeSpan.FromDays(7);

    sealed record Lookup(UsageRecord Row, int Attempt);

    readonly PriorityQueue<Lookup, DateTimeOffset> due = new();
    readonly HashSet<string> queued = new(StringComparer.Ordinal);
    readonly Lock gate = new();
    readonly SemaphoreSlim wake = new(0);

    /// <summary>Rows finished while the app runs arrive here straight from the ledger writer.</summary>
    void OnCommitted(IReadOnlyList<UsageRecord> rows)
    {
        foreach (var row in rows)
        {
            if (row.CostSource == CostSource.Pending)
            {
                Enqueue(row, 0, time.GetUtcNow() + Backoff[0]);
            }
        }
    }

    /// <summary>Looks again at unpriced rows of the last days, e.g. after the catalog learned new models.</summary>
    public Task RetryUnpricedAsync(CancellationToken cancellationToken = default) => LoadAsync(CostSource.Unpriced, cancellationToken);

    void Enqueue(UsageRecord row, int attempt, DateTimeOffset when)
    {
        lock (gate)
        {
            if (attempt == 0 && !queued.Add(row.RequestId))
            {
                return;
            }
            due.Enqueue(new Lookup(row, attempt), when);
        }
        wake.Release();
    }

    async Task LoadAsync(CostSource source, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow().UtcDateTime - UnpricedRetryWindow;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The states as literals, so SQLite uses their partial indexes (it cannot for a parameter).
        var query = source == CostSource.Pending
            ? db.UsageRecords.Where(r => r.CostSource == CostSource.Pending)
            : db.UsageRecords.Where(r => r.CostSource == CostSource.Unpriced && r.CreatedAt >= since);
        var rows = await query.AsNoTracking().ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            Enqueue(row, 0, time.GetUtcNow());
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ledger.Committed += OnCommitted;
        try
        {
            await LoadAsync(CostSource.Pending, stoppingToken);
            var catalogSeenAt = catalog.LastRefreshedAt;
            using var lookups = new SemaphoreSlim(MaxConcurrentLookups);
            while (!stoppingToken.IsCancellationRequested)
            {
                if (catalog.LastRefreshedAt != catalogSeenAt)
                {
                    catalogSeenAt = catalog.LastRefreshedAt;
                    await RetryUnpricedAsync(stoppingToken);
                }
                Lookup? next = null;
                TimeSpan wait = Timeout.InfiniteTimeSpan;
                lock (gate)
                {
                    if (due.TryPeek(out var lookup, out var when))
                    {
                        var now = time.GetUtcNow();
                        if (when <= now)
                        {
                            next = due.Dequeue();
                        }
                        else
                        {
                            wait = when - now;
                        }
                    }
                }
                if (next is null)
                {
                    await wake.WaitAsync(wait < TimeSpan.Zero || wait > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : wait, stoppingToken);
                    continue;
                }
                await lookups.WaitAsync(stoppingToken);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await ResolveAsync(next, stoppingToken);
                    }
                    finally
                    {
                        lookups.Release();
                    }
                }, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            ledger.Committed -= OnCommitted;
        }
    }

    async Task ResolveAsync(Lookup lookup, CancellationToken cancellationToken)
    {
        var row = lookup.Row;
        try
        {
            if (row.GenerationId is { } generationId && lookup.Attempt < Backoff.Length)
            {
                var response = await openRouter.GetGenerationAsync(generationId, cancellationToken);
                if (response.IsSuccessStatusCode && response.Content?.Data is { } generation && ChargedBy(generation) is { } cost)
                {
                    await ReviseAsync(row, CostSource.Generation, cost, generation);
                    return;
                }
                var status = response.StatusCode ?? HttpStatusCode.ServiceUnavailable;
                if (status is HttpStatusCode.NotFound or HttpStatusCode.TooManyRequests || (int)status >= 500)
                {
                    Enqueue(row, lookup.Attempt + 1, time.GetUtcNow() + Backoff[lookup.Attempt]);
                    return;
                }
                LogGenerationRefused(generationId, (int)status);
            }
            await PriceFromCatalogAsync(row);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (lookup.Attempt + 1 < Backoff.Length)
            {
                Enqueue(row, lookup.Attempt + 1, time.GetUtcNow() + Backoff[lookup.Attempt]);
            }
            else
            {
                await PriceFromCatalogAsync(row);
            }
        }
    }

    async Task PriceFromCatalogAsync(UsageRecord row)
    {
        var model = row.ServedModel ?? row.Model;
        var hasTokens = row.PromptTokens > 0 || row.CompletionTokens > 0;
        var cost = hasTokens && model is not null
            ? catalog.EstimateCost(model, new TokenMix(row.PromptTokens, row.CompletionTokens, row.CachedTokens, row.CacheWriteTokens,
                row.ReasoningTokens, row.WebSearches), row.CreatedAt)
            : null;
        if (cost is { } estimate)
        {
            await ReviseAsync(row, CostSource.Catalog, estimate, null);
        }
        else if (row.CostSource != CostSource.Unpriced)
        {
            LogUnpriced(row.RequestId, model);
            await ledger.ReviseAsync(new CostRevision(row.RequestId, CostSource.Unpriced, null, null));
            Forget(row);
        }
        else
        {
            Forget(row);
        }
    }

    async Task ReviseAsync(UsageRecord row, CostSource source, decimal cost, Generation? generation)
    {
        await ledger.ReviseAsync(new CostRevision(
            row.RequestId, source, cost, Markup.Bill(cost, row.MarkupPercent),
            PromptTokens: generation?.TokensPrompt,
            CompletionTokens: generation?.TokensCompletion,
            CachedTokens: generation?.NativeTokensCached,
            ReasoningTokens: generation?.NativeTokensReasoning,
            ServedModel: generation?.Model,
            Provider: generation?.ProviderName));
        Forget(row);
    }

    void Forget(UsageRecord row)
    {
        lock (gate)
        {
            queued.Remove(row.RequestId);
        }
    }

    /// <summary>What OpenRouter charged: its own cost, or for BYOK the provider's charge it passed through.</summary>
    static decimal? ChargedBy(Generation generation) =>
        generation.IsByok == true ? generation.UpstreamInferenceCost ?? generation.TotalCost : generation.TotalCost ?? generation.Usage;

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation lookup for {GenerationId} refused with {Status}; pricing from the catalog")]
    partial void LogGenerationRefused(string generationId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} stays unpriced: no generation record and no catalog price for {Model}")]
    partial void LogUnpriced(string requestId, string? model);
}
