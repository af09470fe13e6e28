namespace Keypod.Core.Billing;

/// <summary>
/// The one place where billed amounts are computed. Rule: billed = upstream × (100 + markup%) / 100, computed in
/// <see cref="decimal"/> and rounded once to <see cref="Scale"/> decimal places (one pico-dollar), midpoints away
/// from zero. Sums are taken over the rounded per-request amounts, so a statement equals the sum of its lines.
/// </summary>
public static class Markup
{
    public const int Scale = 12;

    public static decimal Bill(decimal upstreamCostUsd, decimal markupPercent) =>
        decimal.Round(upstreamCostUsd * (100m + markupPercent) / 100m, Scale, MidpointRounding.AwayFromZero);
}
