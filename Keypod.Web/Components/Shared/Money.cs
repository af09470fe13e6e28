using System.Globalization;

namespace Keypod.Web.Components.Shared;

/// <summary>Money and percentages as the dashboard shows them; the exact figures stay in the API and CSV.</summary>
static class Money
{
    public static string Usd(decimal value) =>
        "$" + (value != 0 && Math.Abs(value) < 0.01m
            ? value.ToString("0.######", CultureInfo.InvariantCulture)
            : value.ToString("#,0.00", CultureInfo.InvariantCulture));

    public static string Percent(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
