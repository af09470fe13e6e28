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
/// The single writer of the ledger. Requests hand it their finished row and go on (the row is already safe in the
/// journal); the writer gathers rows for a few milliseconds and commits them with their rollups in one transaction,
/// so billing totals never disagree with the rows. Nothing is dropped: a full queue makes callers wait, and a
/// failed batch is retried.
/// </summary>
public sealed partial class UsageLedger(IDbContextFactory<KeypodDbContext> dbFactory, ILogger<UsageLedger> logger) : BackgroundService
{
    const int MaxBatch = 1024;
    static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(5);

    abstract class Entry
    {
        TaskCompletionSource? committed;
        Action<object?>? onCommitted;
        object? state;

        /// <summary>Only callers that wait get a task: the proxy's rows take a callback instead (no task, no thread-pool hop).</summary>
        public Task WhenCommitted() => (committed ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public void OnCommitted(Action<object?> callback, object? callbackState) => (onCommitted, state) = (callback, callbackState);

        public void Succeed()
        {
            committed?.TrySetResult();
            onCommitted?.Invoke(state);
        }

        public void Fail(Exception exception) => committed?.TrySetException(exception);
    }

    sealed class RowEntry(UsageRecord record) : Entry
    {
        public UsageRecord Record { get; } = record;
    }

    sealed class RevisionEntry(CostRevision revision) : Entry
    {
        public CostRevision Revision { get; } = revision;
    }

    sealed class BarrierEntry : Entry;

    readonly Channel<Entry> queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(100_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Set by a flush so the writer stops gathering and commits at once.</summary>
    volatile TaskCompletionSource flushRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    volatile bool running;

    /// <summary>Raised on the writer's thread after each commit with the rows it added; handlers must be quick.</summary>
    public event Action<IReadOnlyList<UsageRecord>>? Committed;

    public int QueueDepth => queue.Reader.Count;

    public bool IsRunning => running;

    /// <summary>Queues a row; the task completes once it is durable in the database.</summary>
    public Task AppendAsync(UsageRecord record)
    {
        var entry = new RowEntry(record);
        var committed = entry.WhenCommitted();
        return Enqueue(entry, committed);
    }

    /// <summary>
    /// Queues a finished row without waiting for its commit; <paramref name="onCommitted"/> runs on the writer's thread once
    /// the row is durable, so it must be quick. The task completes when the row is queued (at once unless the queue is full).
    /// </summary>
    public Task Append(UsageRecord record, Action<object?> onCommitted, object? state)
    {
        var entry = new RowEntry(record);
        entry.OnCommitted(onCommitted, state);
        return queue.Writer.TryWrite(entry) ? Task.CompletedTask : queue.Writer.WriteAsync(entry).AsTask();
    }

    public Task ReviseAsync(CostRevision revision)
    {
        var entry = new RevisionEntry(revision);
        return Enqueue(entry, entry.WhenCommitted());
    }

    /// <summary>Completes once everything queued before it is committed.</summary>
    public Task FlushAsync()
    {
        var entry = new BarrierEntry();
        var committed = Enqueue(entry, entry.WhenCommitted());
        flushRequested.TrySetResult();
        return committed;
    }

    /// <summary>Writes rows at once, bypassing the queue; for start-up recovery, before the writer runs.</summary>
    public Task WriteDirectAsync(IEnumerable<UsageRecord> records) => WriteBatchAsync([.. records.Select(r => new RowEntry(r))]);

    Task Enqueue(Entry entry, Task committed) => queue.Writer.TryWrite(entry) ? committed : EnqueueSlow(entry, committed);

    async Task EnqueueSlow(Entry entry, Task committed)
    {
        await queue.Writer.WriteAsync(entry);
        await committed;
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
    /// Takes what is queued, then lets rows gather for <see cref="GatherWindow"/> before taking the rest: finished rows are
    /// already safe in the journal, so committing a few milliseconds later costs nothing, one transaction (a row plus six
    /// rollup upserts) carries many requests, and the writer wakes once per batch instead of once per request.
    /// A flush cuts the wait short.
    /// </summary>
    async Task GatherAsync(List<Entry> batch)
    {
        if (TakeQueued(batch))
        {
            return;
        }
        var flush = flushRequested;
        if (!flush.Task.IsCompleted)
        {
            await Task.WhenAny(Task.Delay(GatherWindow), flush.Task);
        }
        if (flush.Task.IsCompleted)
        {
            flushRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        TakeQueued(batch);
    }

    /// <summary>Moves queued entries into the batch; true when the batch must be written now (full, or a flush).</summary>
    bool TakeQueued(List<Entry> batch)
    {
        while (batch.Count < MaxBatch && queue.Reader.TryRead(out var entry))
        {
            batch.Add(entry);
            if (entry is BarrierEntry)
            {
                return true;
            }
        }
        return batch.Count >= MaxBatch;
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
                    entry.Succeed();
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
                batch[0].Fail(exception);
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
                    case RowEntry { Record: var record } when sql.Insert(record, transaction):
                        added.Add(record);
                        AddToRollup(record, +1, transaction, touched);
                        break;
                    case RevisionEntry { Revision: var revision }:
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
        // temp_store=MEMORY: the statement journals of the upserts stay in memory instead of a temp file written per statement.
        pragmas.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY;";
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
