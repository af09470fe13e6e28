using System.Text.Json;

namespace Keypod.Core.Pricing;

/// <summary>One model of an OpenRouter <c>/models</c> response, read and checked: what the catalog stores about it.</summary>
public sealed record ListedModel(
    string Id,
    string? CanonicalSlug,
    string Name,
    string? Description,
    DateTime? CreatedAt,
    int? ContextLength,
    IReadOnlyList<string> InputModalities,
    IReadOnlyList<string> OutputModalities,
    string RawJson,
    ModelPricing Pricing)
{
    /// <summary>Reads a model object; false with a reason when it lacks an id or has no readable prompt and completion price.</summary>
    public static bool TryRead(JsonElement element, out ListedModel? model, out string? problem)
    {
        model = null;
        WireModel? wire;
        try
        {
            wire = element.ValueKind == JsonValueKind.Object ? element.Deserialize<WireModel>(OpenRouterJson.Options) : null;
        }
        catch (JsonException exception)
        {
            problem = $"unreadable model object ({exception.Message})";
            return false;
        }
        if (wire is null || string.IsNullOrWhiteSpace(wire.Id))
        {
            problem = "a model without an id";
            return false;
        }
        if (wire.Pricing is not { Prompt: not null, Completion: not null } pricing)
        {
            problem = $"{wire.Id} has no prompt and completion price";
            return false;
        }
        model = new ListedModel(
            wire.Id,
            string.IsNullOrWhiteSpace(wire.CanonicalSlug) ? null : wire.CanonicalSlug,
            wire.Name ?? wire.Id,
            wire.Description,
            wire.Created is { } created and > 0 ? DateTime.UnixEpoch.AddSeconds(created) : null,
            wire.ContextLength,
            wire.Architecture?.InputModalities ?? [],
            wire.Architecture?.OutputModalities ?? ["text"],
            JsonSerializer.Serialize(element),
            pricing);
        problem = null;
        return true;
    }

    /// <summary>This model's prices as a history row starting at <paramref name="effectiveFrom"/>; absent keys become 0.</summary>
    public ModelPrice ToPrice(DateTime effectiveFrom) => new()
    {
        ModelId = Id,
        EffectiveFrom = effectiveFrom,
        Prompt = Pricing.Prompt ?? 0m,
        Completion = Pricing.Completion ?? 0m,
        Request = Pricing.Request ?? 0m,
        Image = Pricing.Image ?? 0m,
        WebSearch = Pricing.WebSearch ?? 0m,
        InternalReasoning = Pricing.InternalReasoning,
        InputCacheRead = Pricing.InputCacheRead ?? 0m,
        InputCacheWrite = Pricing.InputCacheWrite ?? 0m,
        InputCacheWrite1h = Pricing.InputCacheWrite1h ?? 0m,
        Audio = Pricing.Audio ?? 0m,
        InputAudioCache = Pricing.InputAudioCache ?? 0m,
        AudioOutput = Pricing.AudioOutput ?? 0m,
        ImageOutput = Pricing.ImageOutput ?? 0m,
        ImageToken = Pricing.ImageToken ?? 0m,
        Overrides = [.. (Pricing.Overrides ?? []).Select((entry, index) => new PriceOverride
        {
            Position = index,
            MinPromptTokens = entry.MinPromptTokens,
            UtcStart = entry.UtcStart,
            UtcEnd = entry.UtcEnd,
            UtcDays = entry.UtcDays is { Count: > 0 } days ? string.Join(',', days.Select(d => d.Trim().ToLowerInvariant())) : null,
            Prompt = entry.Prompt,
            Completion = entry.Completion,
            InputCacheRead = entry.InputCacheRead,
            InputCacheWrite = entry.InputCacheWrite,
            InputCacheWrite1h = entry.InputCacheWrite1h,
            Audio = entry.Audio,
            InputAudioCache = entry.InputAudioCache,
        })],
    };

    internal sealed record WireModel
    {
        public string? Id { get; init; }
        public string? CanonicalSlug { get; init; }
        public string? Name { get; init; }
        public string? Description { get; init; }
        public long? Created { get; init; }
        public int? ContextLength { get; init; }
        public WireArchitecture? Architecture { get; init; }
        public ModelPricing? Pricing { get; init; }
    }

    internal sealed record WireArchitecture
    {
        public List<string>? InputModalities { get; init; }
        public List<string>? OutputModalities { get; init; }
    }
}
