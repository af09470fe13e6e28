namespace Keypod.Web.Components.Pages.Models;

public enum ModelOrder
{
    Catalog,
    Name,
    PromptPrice,
    ContextLength,
}

/// <summary>
/// What the model search asks for. Every term of <see cref="Text"/> must appear in the name, slug, canonical slug or author;
/// prices compare against the billed per-million price, markup included, as the table shows it.
/// </summary>
public sealed record ModelQuery(
    string? Text = null,
    string? InputModality = null,
    string? OutputModality = null,
    int MinContextLength = 0,
    decimal? MaxPromptPerMillion = null,
    bool FreeOnly = false,
    ModelOrder Order = ModelOrder.Catalog)
{
    public IEnumerable<ModelListing> Apply(IEnumerable<ModelListing> models)
    {
        var terms = (Text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var matching = models.Where(m =>
            terms.All(term => Matches(m, term))
            && (InputModality is null || m.InputModalities.Contains(InputModality, StringComparer.OrdinalIgnoreCase))
            && (OutputModality is null || m.OutputModalities.Contains(OutputModality, StringComparer.OrdinalIgnoreCase))
            && (MinContextLength <= 0 || m.ContextLength >= MinContextLength)
            && (MaxPromptPerMillion is not { } max || m.PromptPerMillion <= max)
            && (!FreeOnly || m.IsFree));
        return Order switch
        {
            ModelOrder.Name => matching.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase),
            // Unpriced and variably priced models sort last rather than as free.
            ModelOrder.PromptPrice => matching.OrderBy(m => m.PromptPerMillion ?? decimal.MaxValue).ThenBy(m => m.CompletionPerMillion ?? decimal.MaxValue),
            ModelOrder.ContextLength => matching.OrderByDescending(m => m.ContextLength ?? 0),
            _ => matching,
        };
    }

    static bool Matches(ModelListing model, string term) =>
        model.Name.Contains(term, StringComparison.OrdinalIgnoreCase)
        || model.Slug.Contains(term, StringComparison.OrdinalIgnoreCase)
        || model.Author.Contains(term, StringComparison.OrdinalIgnoreCase)
        || model.CanonicalSlug?.Contains(term, StringComparison.OrdinalIgnoreCase) == true;
}
