using System.Threading.Channels;
using Keypod.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Keypod.Core.Ledger;

/// <summary>A later, better price for a ledger row (from the generation record or the catalog).</summary>
public sealed record CostRevision(
    string RequestId,
    CostSource CostSource,
    decimal? UpstreamCostUsd,
    decimal? BilledUsd,
    int? PromptTokens = null,
    int? CompletionTokens = null,
    int? CachedTokens = null,
    int? ReasoningTokens = null,
    string? ServedModel = null,
    string? Provider = null);

/// <summary>
/// The single writer of the ledger. Requests hand it their row and may await the commit (group commit: every
/// request waiting at the same moment shares one transaction); rows and their daily rollups are written in the
/// same transaction, so billing totals never disagree with the rows. Nothing is dropped: a full queue makes
/// callers wait, and a failed batch is retried.
/// </summary>
public sealed partial class UsageLedger(IDbContextFactory<KeypodDbContext> dbFactory, ILogger<UsageLedger> logger) : BackgroundService
{
    const int MaxBatch = 1024;
    static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(5);

    abstract class Entry
    {
        public readonly TaskCompletionSource Committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    sealed class Append(UsageRecord record) : Entry
    {
        public UsageRecord Record { get; } = record;
    }

    sealed class Revise(CostRevision revision) : Entry
    {
        public CostRevision Revision { get; } = revision;
    }

    sealed class Barrier : Entry;

    readonly Channel<Entry> queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(100_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    volatile bool running;

    /// <summary>Raised on the writer's thread after each commit with the rows it added; handlers must be quick.</summary>
    public event Action<IReadOnlyList<UsageRecord>>? Committed;

    public int QueueDepth => queue.Reader.Count;

    public bool IsRunning => running;

    /// <summary>Queues a row; the task completes once it is durable in the database.</summary>
    public Task AppendAsync(UsageRecord record)
    {
        var entry = new Append(record);
        return Enqueue(entry);
    }

    public Task ReviseAsync(CostRevision revision) => Enqueue(new Revise(revision));

    /// <summary>Completes once everything queued before it is committed.</summary>
    public Task FlushAsync() => Enqueue(new Barrier());

    /// <summary>Writes rows at once, bypassing the queue; for start-up recovery, before the writer runs.</summary>
    public Task WriteDirectAsync(IEnumerable<UsageRecord> records) => WriteBatchAsync([.. records.Select(r => new Append(r))]);

    Task Enqueue(Entry entry)
    {
        if (queue.Writer.TryWrite(entry))
        {
            return entry.Committed.Task;
        }
        return EnqueueSlow(entry);
    }

    async Task EnqueueSlow(Entry entry)
    {
        await queue.Writer.WriteAsync(entry);
        await entry.Committed.Task;
    }

    /// <summary>Stops taking rows and writes everything already queued (used on graceful shutdown).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        running = true;
        var batch = new List<Entry>(MaxBatch);
        try
        {
            // The stopping token is not passed to the reads: on shutdown the queue is completed and drained instead.
            while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                await GatherAsync(batch);
                await WriteWithRetryAsync(batch);
                batch.Clear();
            }
        }
        finally
        {
            running = false;
        }
    }

    /// <summary>
    /// Takes what is queued, then keeps gathering for up to <see cref="GatherWindow"/>: finished rows are already safe in
    /// the journal, so committing a few milliseconds later costs nothing, and at low traffic it lets one transaction
    /// (a row plus six rollup upserts) carry several requests instead of one each. A flush is written at once.
    /// </summary>
    async Task GatherAsync(List<Entry> batch)
    {
        var deadline = Environment.TickCount64 + (long)GatherWindow.TotalMilliseconds;
        while (true)
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
                if (entry is Barrier)
                {
                    return;
                }
            }
            var remaining = deadline - Environment.TickCount64;
            if (batch.Count >= MaxBatch || remaining <= 0)
            {
                return;
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(remaining));
            try
            {
                if (!await queue.Reader.WaitToReadAsync(wait.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    async Task WriteWithRetryAsync(List<Entry> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var added = await WriteBatchAsync(batch);
                foreach (var entry in batch)
                {
                    entry.Committed.TrySetResult();
                }
                if (added.Count > 0)
                {
                    Committed?.Invoke(added);
                }
                return;
            }
            catch (Exception exception) when (attempt < 5)
            {
                LogBatchRetry(exception, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt * attempt));
            }
            catch (Exception exception) when (batch.Count > 1)
            {
                // One bad entry must not hold back the others: write them one at a time.
                LogBatchSplit(exception, batch.Count);
                foreach (var entry in batch)
                {
                    await WriteWithRetryAsync([entry]);
                }
                return;
            }
            catch (Exception exception)
            {
                LogEntryFailed(exception);
                batch[0].Committed.TrySetException(exception);
                return;
            }
        }
    }

    LedgerSql? sql;
    readonly Dictionary<RollupKey, RollupTotals> rollups = [];

    async Task<List<UsageRecord>> WriteBatchAsync(List<Entry> batch)
    {
        sql ??= await OpenAsync();
        var added = new List<UsageRecord>(batch.Count);
        var touched = new HashSet<RollupKey>();
        try
        {
            using var transaction = sql.Begin();
            foreach (var entry in batch)
            {
                switch (entry)
                {
                    case Append { Record: var record } when sql.Insert(record, transaction):
                        added.Add(record);
                        AddToRollup(record, +1, transaction, touched);
                        break;
                    case Revise { Revision: var revision }:
                        var row = sql.FindByRequestId(revision.RequestId, transaction);
                        if (row is null)
                        {
                            LogRevisionForUnknownRow(revision.RequestId);
                            break;
                        }
                        AddToRollup(row, -1, transaction, touched);
                        Apply(row, revision);
                        sql.UpdateCost(row, transaction);
                        AddToRollup(row, +1, transaction, touched);
                        break;
                }
            }
            foreach (var key in touched)
            {
                sql.SaveRollup(key, rollups[key], transaction);
            }
            transaction.Commit();
        }
        catch
        {
            // The cached totals may hold this batch's additions: forget them and reconnect before the retry.
            rollups.Clear();
            sql.Dispose();
            sql = null;
            throw;
        }
        if (rollups.Count > 150_000) // six rollups per row: per day by user and model, by user, by model, by project; per month by user, by model
        {
            rollups.Clear();
        }
        return added;
    }

    async Task<LedgerSql> OpenAsync()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var connection = new SqliteConnection(db.Database.GetConnectionString());
        await connection.OpenAsync();
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";
        await pragmas.ExecuteNonQueryAsync();
        return new LedgerSql(connection);
    }

    /// <summary>The writer owns the rollups, so it keeps recent ones in memory and writes their new totals once per batch.</summary>
    void AddToRollup(UsageRecord record, int sign, SqliteTransaction transaction, HashSet<RollupKey> touched)
    {
        foreach (var key in RollupKey.Of(record))
        {
            if (!rollups.TryGetValue(key, out var rollup))
            {
                rollup = sql!.LoadRollup(key, transaction);
                rollups[key] = rollup;
            }
            touched.Add(key);
            rollup.Add(record, sign);
        }
    }

    static void Apply(UsageRecord record, CostRevision revision)
    {
        record.CostSource = revision.CostSource;
        record.UpstreamCostUsd = revision.UpstreamCostUsd;
        record.BilledUsd = revision.BilledUsd;
        record.PromptTokens = revision.PromptTokens ?? record.PromptTokens;
        record.CompletionTokens = revision.CompletionTokens ?? record.CompletionTokens;
        record.CachedTokens = revision.CachedTokens ?? record.CachedTokens;
        record.ReasoningTokens = revision.ReasoningTokens ?? record.ReasoningTokens;
        record.ServedModel = revision.ServedModel ?? record.ServedModel;
        record.Provider = revision.Provider ?? record.Provider;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger batch of {Count} entries failed (attempt {Attempt}); retrying")]
    partial void LogBatchRetry(Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ledger batch of {Count} entries keeps failing; writing its entries one by one")]
    partial void LogBatchSplit(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "A ledger entry could not be written after retries")]
    partial void LogEntryFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cost revision for unknown ledger row {RequestId} ignored")]
    partial void LogRevisionForUnknownRow(string requestId);
}
