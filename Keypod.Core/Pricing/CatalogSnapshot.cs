using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Keypod.Core.Pricing;

/// <summary>An immutable in-memory copy of the stored catalog: lookups by slug, price histories, and the listing.</summary>
sealed partial class CatalogSnapshot
{
    readonly Dictionary<string, CatalogModel> byId;
    readonly Dictionary<string, CatalogModel> byCanonicalSlug;
    readonly Dictionary<string, CatalogModel> byUndatedCanonicalSlug;
    readonly Dictionary<string, ModelPrice[]> pricesByModel;
    readonly CatalogModel[] listed;
    readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> listings = new(StringComparer.Ordinal);
    readonly Lazy<IReadOnlyList<CatalogListing>> currentListings;

    CatalogSnapshot(List<CatalogModel> models, List<ModelPrice> prices)
    {
        byId = models.ToDictionary(m => m.Id, StringComparer.Ordinal);
        listed = [.. models.Where(m => m.DelistedAt is null).OrderBy(m => m.Position).ThenBy(m => m.Id, StringComparer.Ordinal)];

        // Several ids share a canonical slug (a model and its :batch or :free variants); the plain, listed one prices it.
        var preferred = models
            .OrderBy(m => m.DelistedAt is null ? 0 : 1)
            .ThenBy(m => m.Id.Contains(':') ? 1 : 0)
            .ThenBy(m => m.Position)
            .ThenBy(m => m.Id, StringComparer.Ordinal)
            .ToList();
        byCanonicalSlug = new(StringComparer.Ordinal);
        byUndatedCanonicalSlug = new(StringComparer.Ordinal);
        foreach (var model in preferred.Where(m => m.CanonicalSlug is not null))
        {
            byCanonicalSlug.TryAdd(model.CanonicalSlug!, model);
            if (Undated(model.CanonicalSlug!) is { } undated)
            {
                byUndatedCanonicalSlug.TryAdd(undated, model);
            }
        }
        pricesByModel = prices
            .GroupBy(p => p.ModelId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.EffectiveFrom).ToArray(), StringComparer.Ordinal);
        currentListings = new(() => [.. listed.Select(m => new CatalogListing(m, pricesByModel.TryGetValue(m.Id, out var history) ? history[^1] : null))]);
    }

    public static CatalogSnapshot Build(List<CatalogModel> models, List<ModelPrice> prices) => new(models, prices);

    public int ListedCount => listed.Length;

    public IReadOnlyList<CatalogListing> Listings => currentListings.Value;

    public CatalogModel? FindModel(string slug)
    {
        slug = slug.Trim();
        if (byId.TryGetValue(slug, out var model) || byCanonicalSlug.TryGetValue(slug, out model))
        {
            return model;
        }
        if (Undated(slug) is not { } undated)
        {
            return null;
        }
        // A dated slug served back for a model whose canonical slug carries another (or no) date.
        return byId.TryGetValue(undated, out model) || byCanonicalSlug.TryGetValue(undated, out model)
            || byUndatedCanonicalSlug.TryGetValue(undated, out model)
            ? model
            : null;
    }

    public ModelPrice? FindPrice(string slug, DateTime atUtc)
    {
        if (FindModel(slug) is not { } model || !pricesByModel.TryGetValue(model.Id, out var history))
        {
            return null;
        }
        var at = atUtc.Kind == DateTimeKind.Local ? atUtc.ToUniversalTime() : atUtc;
        var low = 0;
        var high = history.Length - 1;
        var found = 0;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (history[middle].EffectiveFrom <= at)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return history[found];
    }

    public ReadOnlyMemory<byte>? ModelsJson(string? outputModalities)
    {
        if (listed.Length == 0)
        {
            return null;
        }
        var filter = string.IsNullOrWhiteSpace(outputModalities) ? "text" : outputModalities.Trim().ToLowerInvariant();
        // The query string is the caller's: cache only the two listings everyone asks for, not one per filter sent.
        return filter is "text" or "all" ? listings.GetOrAdd(filter, Render) : Render(filter);
    }

    ReadOnlyMemory<byte> Render(string filter)
    {
        var wanted = filter.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var all = wanted.Contains("all");
        var json = new StringBuilder("{\"data\":[");
        var first = true;
        foreach (var model in listed)
        {
            if (all || model.OutputModalities.Any(m => wanted.Contains(m, StringComparer.OrdinalIgnoreCase)))
            {
                json.Append(first ? "" : ",").Append(model.RawJson);
                first = false;
            }
        }
        return Encoding.UTF8.GetBytes(json.Append("]}").ToString());
    }

    static string? Undated(string slug) => DateSuffix().Match(slug) is { Success: true } match ? match.Groups["base"].Value : null;

    [GeneratedRegex(@"^(?<base>.+?)-(?:\d{8}|\d{4}-\d{2}-\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex DateSuffix();
}
