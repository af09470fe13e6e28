using Keypod.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Core.Ledger;

/// <summary>At start-up: every request the journal saw start but the ledger never got is recorded as interrupted.</summary>
public static class LedgerRecovery
{
    public static async Task<int> RecoverAsync(InflightJournal journal, UsageLedger ledger, IDbContextFactory<KeypodDbContext> dbFactory,
        CancellationToken cancellationToken = default)
    {
        var leftovers = journal.ReadLeftovers(out var files);
        var missing = new List<JournalLine>();
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            foreach (var chunk in leftovers.Chunk(500))
            {
                var ids = chunk.Select(e => e.Record.RequestId).ToList();
                var recorded = (await db.UsageRecords.Where(r => ids.Contains(r.RequestId)).Select(r => r.RequestId).ToListAsync(cancellationToken))
                    .ToHashSet(StringComparer.Ordinal);
                missing.AddRange(chunk.Where(e => !recorded.Contains(e.Record.RequestId)));
            }
        }
        if (missing.Count > 0)
        {
            await ledger.WriteDirectAsync(missing.Select(ToRecord));
        }
        InflightJournal.DeleteFiles(files);
        return missing.Count;
    }

    static UsageRecord ToRecord(JournalLine line)
    {
        var record = line.Record;
        record.Id = 0;
        if (!line.Final)
        {
            record.Outcome = Outcome.Interrupted;
            record.CostSource = record.GenerationId is null ? CostSource.Unpriced : CostSource.Pending;
            record.UpstreamCostUsd = null;
            record.BilledUsd = null;
            record.ErrorMessage = "Keypod stopped while this request was in flight; its cost is reconciled from the generation record.";
        }
        return record;
    }
}
