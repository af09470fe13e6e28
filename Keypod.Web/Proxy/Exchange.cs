using System.Diagnostics;
using Keypod.Core.Billing;
using Keypod.Core.Configuration;
using Keypod.Core.Ledger;
using Keypod.Core.Pricing;
using Keypod.Core.Usage;

namespace Keypod.Web.Proxy;

/// <summary>One proxied request in flight: its ledger row as it fills in, and the single place that commits it.</summary>
sealed class Exchange(HttpContext context, UsageRecord record, long startedTimestamp, KeypodOptions settings, InflightJournal journal,
    PricingCatalog catalog)
{
    readonly InflightJournal.Ticket ticket = journal.Start(record);

    public HttpContext Context { get; } = context;
    public UsageRecord Record { get; } = record;
    public KeypodOptions Settings { get; } = settings;
    public bool Recorded { get; private set; }

    public void MarkFirstToken() => Record.TimeToFirstTokenMs ??= ElapsedMs();

    public void Apply(ResponseFacts facts)
    {
        var learnedGenerationId = Record.GenerationId is null && facts.GenerationId is not null;
        Record.GenerationId = facts.GenerationId ?? Record.GenerationId;
        Record.ServedModel = facts.Model ?? Record.ServedModel;
        Record.Provider = facts.Provider ?? Record.Provider;
        if (facts.Usage is { } usage)
        {
            Record.PromptTokens = usage.PromptTokens;
            Record.CompletionTokens = usage.CompletionTokens;
            Record.CachedTokens = usage.CachedTokens;
            Record.CacheWriteTokens = usage.CacheWriteTokens;
            Record.ReasoningTokens = usage.ReasoningTokens;
            Record.WebSearches = usage.WebSearches;
            Record.IsByok = usage.IsByok;
        }
        // Only a stream can be cut after its id is known; a body is journalled whole a moment later anyway.
        if (learnedGenerationId && Record.Stream && !Recorded)
        {
            journal.Update(ticket, Record);
        }
    }

    /// <summary>
    /// Prices the row from what the response said: its <c>usage.cost</c>; usage with tokens but no cost from the catalog
    /// price of the served model; no usage at all stays <see cref="CostSource.Pending"/> for the cost resolver, which
    /// reads the generation record. An upstream error without usage charged nothing.
    /// </summary>
    public void Price(ResponseFacts facts, int upstreamStatus)
    {
        if (facts.Usage?.ChargedUsd is { } charged)
        {
            SetCost(CostSource.Upstream, charged);
        }
        else if (facts.Usage is { } usage && (usage.PromptTokens > 0 || usage.CompletionTokens > 0)
            && (Record.ServedModel ?? Record.Model) is { } model
            && catalog.EstimateCost(model, TokenMix.From(usage), Record.CreatedAt) is { } estimate)
        {
            SetCost(CostSource.Catalog, estimate);
        }
        else if (upstreamStatus >= 400 && facts.Usage is null)
        {
            Record.UpstreamCostUsd = 0m;
            Record.BilledUsd = 0m;
            Record.CostSource = CostSource.None;
        }
        else
        {
            Record.UpstreamCostUsd = null;
            Record.BilledUsd = null;
            Record.CostSource = Record.GenerationId is null && facts.Usage is not null ? CostSource.Unpriced : CostSource.Pending;
        }
    }

    void SetCost(CostSource source, decimal upstreamCost)
    {
        Record.UpstreamCostUsd = upstreamCost;
        Record.BilledUsd = Markup.Bill(upstreamCost, Record.MarkupPercent);
        Record.CostSource = source;
    }

    /// <summary>
    /// Finishes the row: journalled at once (durable against a crash before the client sees the response end), then
    /// queued for the ledger's next batch — the request does not wait for the database.
    /// </summary>
    public void Finish(int status, Outcome outcome, CostSource costSource, UsageLedger ledger, string? error)
    {
        if (Recorded)
        {
            return;
        }
        Recorded = true;
        Record.Status = status;
        Record.Outcome = outcome;
        Record.CostSource = costSource;
        if (costSource is CostSource.None)
        {
            Record.UpstreamCostUsd = 0m;
            Record.BilledUsd = 0m;
        }
        Record.ErrorMessage = error is { Length: > 1000 } ? error[..1000] : error;
        Record.LatencyMs = ElapsedMs();
        journal.Finish(ticket, Record);
        // The journal segment can go once the row is committed; the callback runs on the ledger writer's thread.
        _ = ledger.Append(Record, static state =>
        {
            var (journal, ticket) = ((InflightJournal, InflightJournal.Ticket))state!;
            journal.Complete(ticket);
        }, (journal, ticket));
    }

    public Task FailAsync(int status, Outcome outcome, CostSource costSource, string message, UsageLedger ledger, bool retryable = true)
    {
        Finish(status, outcome, costSource, ledger, message);
        return OpenRouterError.WriteAsync(Context, status, message, retryable);
    }

    int ElapsedMs() => (int)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds;
}
