using System.Globalization;
using Keypod.Core.Billing;
using Keypod.Core.Pricing;

namespace Keypod.Web.Components.Pages.Models;

/// <summary>One catalog model as the model search shows it: per-million-token prices with the deployment's markup already applied.</summary>
public sealed record ModelListing(
    string Slug,
    string Name,
    string Author,
    string? CanonicalSlug,
    int? ContextLength,
    IReadOnlyList<string> InputModalities,
    IReadOnlyList<string> OutputModalities,
    decimal? PromptPerMillion,
    decimal? CompletionPerMillion,
    decimal? CachedReadPerMillion)
{
    /// <summary>OpenRouter quotes no fixed price for routers such as <c>openrouter/auto</c>; neither can Keypod.</summary>
    public bool IsVariablyPriced { get; init; }

    public bool IsFree => PromptPerMillion == 0 && CompletionPerMillion == 0;

    public static ModelListing From(CatalogListing listing, decimal markupPercent)
    {
        var model = listing.Model;
        var price = listing.Price;
        var variable = price?.IsVariable == true;
        return new ModelListing(
            model.Id,
            model.Name,
            model.Id.Split('/')[0],
            model.CanonicalSlug,
            model.ContextLength,
            model.InputModalities,
            model.OutputModalities,
            price is null || variable ? null : PerMillion(price.Prompt, markupPercent),
            price is null || variable ? null : PerMillion(price.Completion, markupPercent),
            // OpenRouter omits the key for models without prompt caching; stored as 0, it means "no cached rate", not "free".
            price is null || variable || price.InputCacheRead == 0 ? null : PerMillion(price.InputCacheRead, markupPercent))
        {
            IsVariablyPriced = variable,
        };
    }

    /// <summary>The billed price of a million tokens: exact decimal math, the same rule the ledger bills by.</summary>
    public static decimal PerMillion(decimal usdPerToken, decimal markupPercent) => Markup.Bill(usdPerToken * 1_000_000m, markupPercent);

    /// <summary>Dollars per million tokens, short enough for a table and never rounded to a misleading zero.</summary>
    public static string PriceText(decimal? perMillion) => perMillion switch
    {
        null => "—",
        0m => "$0",
        >= 0.01m => "$" + decimal.Round(perMillion.Value, 4).ToString("0.00##", CultureInfo.InvariantCulture),
        < 0.000001m => "< $0.000001",
        _ => "$" + decimal.Round(perMillion.Value, 6).ToString("0.######", CultureInfo.InvariantCulture),
    };

    public static string ContextText(int? tokens) => tokens switch
    {
        null => "—",
        >= 1_000_000 when tokens % 1_000_000 == 0 => $"{tokens / 1_000_000}M",
        >= 1_000_000 => (tokens.Value / 1_000_000m).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => $"{(int)Math.Round(tokens.Value / 1000.0)}K",
        _ => tokens.Value.ToString(CultureInfo.InvariantCulture),
    };
}
