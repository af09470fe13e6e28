namespace Keypod.Core.Pricing;

/// <summary>A model of OpenRouter's catalog as last fetched, kept after it leaves the catalog so old requests can still be priced.</summary>
public sealed class CatalogModel
{
    /// <summary>OpenRouter's <c>id</c>, the slug clients send (<c>openai/gpt-4o-mini</c>, <c>minimax/minimax-m2:free</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The permanent, usually dated slug (<c>anthropic/claude-4.5-haiku-20251001</c>) that responses often name.</summary>
    public string? CanonicalSlug { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>When OpenRouter added the model (its <c>created</c> unix time).</summary>
    public DateTime? CreatedAt { get; set; }
    public int? ContextLength { get; set; }
    public List<string> InputModalities { get; set; } = [];
    public List<string> OutputModalities { get; set; } = [];

    /// <summary>The model object exactly as OpenRouter sent it (compacted), served back by <c>GET /v1/models</c>.</summary>
    public required string RawJson { get; set; }

    /// <summary>Its place in OpenRouter's list, so the catalog is served in upstream order.</summary>
    public int Position { get; set; }
    public DateTime FirstSeenAt { get; init; }
    public DateTime LastSeenAt { get; set; }

    /// <summary>Set while the model is absent from the upstream catalog; such models are not listed but still priced.</summary>
    public DateTime? DelistedAt { get; set; }

    public List<ModelPrice> Prices { get; } = [];
}

/// <summary>
/// A model's prices from <see cref="EffectiveFrom"/> until the next row of the same model. Rows are only appended, when
/// the upstream prices change, so a request is priced with the prices in force at its time. USD per token unless noted;
/// a key OpenRouter omits is stored as 0. Negative values are OpenRouter's "variable price" marker (router models).
/// </summary>
public sealed class ModelPrice
{
    public long Id { get; init; }
    public required string ModelId { get; init; }
    public DateTime EffectiveFrom { get; init; }
    public decimal Prompt { get; init; }
    public decimal Completion { get; init; }

    /// <summary>USD per request.</summary>
    public decimal Request { get; init; }

    /// <summary>USD per input image.</summary>
    public decimal Image { get; init; }

    /// <summary>USD per web search.</summary>
    public decimal WebSearch { get; init; }

    /// <summary>Null when OpenRouter lists no separate reasoning price: reasoning tokens then cost <see cref="Completion"/>.</summary>
    public decimal? InternalReasoning { get; init; }
    public decimal InputCacheRead { get; init; }
    public decimal InputCacheWrite { get; init; }
    public decimal InputCacheWrite1h { get; init; }
    public decimal Audio { get; init; }
    public decimal InputAudioCache { get; init; }
    public decimal AudioOutput { get; init; }
    public decimal ImageOutput { get; init; }
    public decimal ImageToken { get; init; }

    /// <summary>Tiered prices in upstream order; later applicable entries win.</summary>
    public List<PriceOverride> Overrides { get; init; } = [];

    /// <summary>OpenRouter marks prices it cannot quote ahead (routers such as <c>openrouter/auto</c>) with <c>-1</c>.</summary>
    public bool IsVariable => Prompt < 0 || Completion < 0 || Request < 0 || Image < 0 || WebSearch < 0
        || InternalReasoning < 0 || InputCacheRead < 0 || InputCacheWrite < 0;

    public bool HasSamePricesAs(ModelPrice other) =>
        Prompt == other.Prompt && Completion == other.Completion && Request == other.Request && Image == other.Image
        && WebSearch == other.WebSearch && InternalReasoning == other.InternalReasoning && InputCacheRead == other.InputCacheRead
        && InputCacheWrite == other.InputCacheWrite && InputCacheWrite1h == other.InputCacheWrite1h && Audio == other.Audio
        && InputAudioCache == other.InputAudioCache && AudioOutput == other.AudioOutput && ImageOutput == other.ImageOutput
        && ImageToken == other.ImageToken
        && Overrides.OrderBy(o => o.Position).SequenceEqual(other.Overrides.OrderBy(o => o.Position), PriceOverride.SamePrices);
}

/// <summary>
/// One tiered price of <see cref="ModelPrice.Overrides"/>: it applies when all of its conditions hold; the price keys it
/// sets replace the base ones, those it leaves null keep them.
/// </summary>
public sealed class PriceOverride
{
    public int Position { get; init; }

    /// <summary>Applies when the request's prompt tokens are strictly greater than this.</summary>
    public int? MinPromptTokens { get; init; }

    /// <summary>Inclusive start of a daily UTC window as an HHMM clock number (100 = 01:00).</summary>
    public int? UtcStart { get; init; }

    /// <summary>Exclusive end of the window (HHMM); a window with start after end wraps past midnight.</summary>
    public int? UtcEnd { get; init; }

    /// <summary>Comma-separated lower-case UTC weekday names (<c>monday,friday</c>); null means every day.</summary>
    public string? UtcDays { get; init; }
    public decimal? Prompt { get; init; }
    public decimal? Completion { get; init; }
    public decimal? InputCacheRead { get; init; }
    public decimal? InputCacheWrite { get; init; }
    public decimal? InputCacheWrite1h { get; init; }
    public decimal? Audio { get; init; }
    public decimal? InputAudioCache { get; init; }

    public bool AppliesTo(int promptTokens, DateTime atUtc)
    {
        if (MinPromptTokens is { } minimum && promptTokens <= minimum)
        {
            return false;
        }
        if (UtcDays is { Length: > 0 } days
            && !days.Split(',', StringSplitOptions.TrimEntries).Contains(atUtc.DayOfWeek.ToString(), StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }
        if (UtcStart is null && UtcEnd is null)
        {
            return true;
        }
        var minute = atUtc.Hour * 60 + atUtc.Minute;
        var start = MinuteOfDay(UtcStart ?? 0);
        var end = MinuteOfDay(UtcEnd ?? 2400);
        return start < end ? minute >= start && minute < end
            : start > end ? minute >= start || minute < end
            : true;
    }

    static int MinuteOfDay(int hhmm) => hhmm / 100 * 60 + hhmm % 100;

    internal static IEqualityComparer<PriceOverride> SamePrices { get; } = EqualityComparer<PriceOverride>.Create(
        (a, b) => a is not null && b is not null
            && a.MinPromptTokens == b.MinPromptTokens && a.UtcStart == b.UtcStart && a.UtcEnd == b.UtcEnd && a.UtcDays == b.UtcDays
            && a.Prompt == b.Prompt && a.Completion == b.Completion && a.InputCacheRead == b.InputCacheRead
            && a.InputCacheWrite == b.InputCacheWrite && a.InputCacheWrite1h == b.InputCacheWrite1h && a.Audio == b.Audio
            && a.InputAudioCache == b.InputAudioCache,
        o => HashCode.Combine(o.MinPromptTokens, o.UtcStart, o.Prompt, o.Completion));
}
