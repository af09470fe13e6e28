using Keypod.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Keypod.Core.Pricing;

/// <summary>
/// OpenRouter's model catalog kept in the database with an effective-dated price history, and served from memory.
/// A refresh that fails, or brings back something that does not look like the catalog, leaves the stored copy as it
/// was: the catalog is never wiped, and models that leave upstream stay priceable for the requests made before.
/// </summary>
public sealed partial class PricingCatalog(
    IOpenRouterApi openRouter,
    IDbContextFactory<KeypodDbContext> dbFactory,
    TimeProvider clock,
    ILogger<PricingCatalog> logger)
{
    readonly SemaphoreSlim refreshGate = new(1, 1);
    readonly Lock loadGate = new();
    volatile CatalogSnapshot? snapshot;

    /// <summary>When the last successful refresh stored the upstream catalog (this process only).</summary>
    public DateTime? LastRefreshedAt { get; private set; }

    /// <summary>Models currently listed upstream, as last stored; 0 before anything was ever fetched.</summary>
    public int ListedModelCount => Current.ListedCount;

    /// <summary>
    /// Fetches <c>/models?output_modalities=all</c>, upserts the models and appends a price row for each model whose
    /// prices changed. Never throws for upstream trouble: the result says what happened.
    /// </summary>
    public async Task<CatalogRefreshResult> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await refreshGate.WaitAsync(cancellationToken);
        try
        {
            var stored = await LoadSnapshotAsync(cancellationToken);
            ModelListResponse response;
            try
            {
                response = await openRouter.GetModelsAsync("all", cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Only the type and message: a Refit exception also carries the request, Authorization header included.
                return KeepStored(stored, $"the upstream could not be read ({exception.GetType().Name}: {exception.Message})");
            }

            var listed = new List<ListedModel>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var rejected = 0;
            string? firstProblem = null;
            foreach (var element in response?.Data ?? [])
            {
                if (ListedModel.TryRead(element, out var model, out var problem) && seen.Add(model!.Id))
                {
                    listed.Add(model);
                }
                else
                {
                    rejected++;
                    firstProblem ??= problem ?? $"duplicate model {model?.Id}";
                }
            }
            if (listed.Count == 0)
            {
                return KeepStored(stored, $"the upstream answered without a usable model ({rejected} rejected{(firstProblem is null ? "" : ", e.g. " + firstProblem)})");
            }
            if (listed.Count < stored.ListedCount / 2)
            {
                return KeepStored(stored, $"the upstream listed {listed.Count} usable models where {stored.ListedCount} are stored; that looks like a broken answer");
            }
            if (rejected > 0)
            {
                LogModelsRejected(rejected, firstProblem);
            }

            var (newPrices, delisted) = await StoreAsync(listed, clock.GetUtcNow().UtcDateTime, cancellationToken);
            snapshot = await ReadSnapshotAsync(cancellationToken);
            LastRefreshedAt = clock.GetUtcNow().UtcDateTime;
            LogRefreshed(listed.Count, newPrices, delisted);
            return new CatalogRefreshResult(true, listed.Count, newPrices, delisted, null);
        }
        finally
        {
            refreshGate.Release();
        }
    }

    /// <summary>Loads the stored catalog into memory if it is not there yet (the first lookup does the same, synchronously).</summary>
    public Task LoadAsync(CancellationToken cancellationToken = default) => LoadSnapshotAsync(cancellationToken);

    async Task<CatalogSnapshot> LoadSnapshotAsync(CancellationToken cancellationToken)
    {
        if (snapshot is { } loaded)
        {
            return loaded;
        }
        var read = await ReadSnapshotAsync(cancellationToken);
        lock (loadGate)
        {
            return snapshot ??= read;
        }
    }

    /// <summary>
    /// The prices in force for <paramref name="modelSlug"/> at <paramref name="atUtc"/>, or null for a model the catalog
    /// has never listed — which callers must treat as unpriced, never as free. Accepts the <c>id</c>, the
    /// <c>canonical_slug</c>, and dated slugs that responses name (<c>…-20251001</c>, <c>…-2024-07-18</c>). A time before
    /// the first stored price gets the earliest known price.
    /// </summary>
    public ModelPrice? FindPrice(string modelSlug, DateTime atUtc) => Current.FindPrice(modelSlug, atUtc);

    /// <summary>The model the catalog resolves <paramref name="modelSlug"/> to, listed or not.</summary>
    public CatalogModel? FindModel(string modelSlug) => Current.FindModel(modelSlug);

    /// <summary>
    /// What the catalog says a request cost: null when the model is unknown or its price is variable.
    /// <see cref="CostCalculator"/> documents the rules.
    /// </summary>
    public decimal? EstimateCost(string modelSlug, TokenMix usage, DateTime atUtc) =>
        FindPrice(modelSlug, atUtc) is { } price ? CostCalculator.Cost(price, usage, atUtc) : null;

    /// <summary>
    /// <c>{"data":[...]}</c> with the stored model objects in upstream order, filtered like OpenRouter's
    /// <c>output_modalities</c> (default <c>text</c>; <c>all</c>; or a comma-separated list); null while nothing is stored.
    /// </summary>
    public ReadOnlyMemory<byte>? ModelsJson(string? outputModalities = null) => Current.ModelsJson(outputModalities);

    /// <summary>The listed models in upstream order, each with its latest stored price; one shared list per catalog refresh.</summary>
    public IReadOnlyList<CatalogListing> ListedModels() => Current.Listings;

    CatalogSnapshot Current
    {
        get
        {
            if (snapshot is { } loaded)
            {
                return loaded;
            }
            lock (loadGate)
            {
                if (snapshot is null)
                {
                    using var db = dbFactory.CreateDbContext();
                    snapshot = CatalogSnapshot.Build(
                        db.CatalogModels.AsNoTracking().ToList(), db.ModelPrices.AsNoTracking().ToList());
                }
                return snapshot;
            }
        }
    }

    async Task<CatalogSnapshot> ReadSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return CatalogSnapshot.Build(
            await db.CatalogModels.AsNoTracking().ToListAsync(cancellationToken),
            await db.ModelPrices.AsNoTracking().ToListAsync(cancellationToken));
    }

    async Task<(int NewPrices, int Delisted)> StoreAsync(List<ListedModel> listed, DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var models = await db.CatalogModels.ToDictionaryAsync(m => m.Id, StringComparer.Ordinal, cancellationToken);
        var latestPrices = (await db.ModelPrices.AsNoTracking().ToListAsync(cancellationToken))
            .GroupBy(p => p.ModelId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(p => p.EffectiveFrom)!, StringComparer.Ordinal);

        var newPrices = 0;
        for (var position = 0; position < listed.Count; position++)
        {
            var entry = listed[position];
            if (!models.TryGetValue(entry.Id, out var model))
            {
                model = new CatalogModel { Id = entry.Id, Name = entry.Name, RawJson = entry.RawJson, FirstSeenAt = now };
                db.CatalogModels.Add(model);
                models.Add(entry.Id, model);
            }
            model.CanonicalSlug = entry.CanonicalSlug;
            model.Name = entry.Name;
            model.Description = entry.Description;
            model.CreatedAt = entry.CreatedAt;
            model.ContextLength = entry.ContextLength;
            model.InputModalities = [.. entry.InputModalities];
            model.OutputModalities = [.. entry.OutputModalities];
            model.RawJson = entry.RawJson;
            model.Position = position;
            model.LastSeenAt = now;
            model.DelistedAt = null;

            var price = entry.ToPrice(now);
            if (!latestPrices.TryGetValue(entry.Id, out var current) || !current.HasSamePricesAs(price))
            {
                db.ModelPrices.Add(price);
                newPrices++;
            }
        }

        var listedIds = listed.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var delisted = 0;
        foreach (var model in models.Values.Where(m => m.DelistedAt is null && !listedIds.Contains(m.Id)))
        {
            model.DelistedAt = now;
            delisted++;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (newPrices, delisted);
    }

    CatalogRefreshResult KeepStored(CatalogSnapshot stored, string problem)
    {
        LogKeptStored(problem, stored.ListedCount);
        return new CatalogRefreshResult(false, stored.ListedCount, 0, 0, problem);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model catalog refresh failed: {Problem}. Keeping the stored catalog ({Count} models).")]
    partial void LogKeptStored(string problem, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model catalog refresh skipped {Count} unreadable models, e.g. {Example}")]
    partial void LogModelsRejected(int count, string? example);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model catalog refreshed: {Count} models, {NewPrices} new price rows, {Delisted} delisted")]
    partial void LogRefreshed(int count, int newPrices, int delisted);
}

/// <summary>A listed model and the prices in force now (null only for a model stored without any price row).</summary>
public sealed record CatalogListing(CatalogModel Model, ModelPrice? Price);

/// <summary>What a refresh did. On failure <see cref="ModelCount"/> is the stored catalog that stays in use.</summary>
public sealed record CatalogRefreshResult(bool Succeeded, int ModelCount, int NewPriceRows, int Delisted, string? Problem);
