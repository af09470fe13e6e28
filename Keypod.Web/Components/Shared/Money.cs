using System.Globalization;

namespace Keypod.Web.Components.Shared;

/// <summary>Money and percentages as the dashboard shows them; the exact figures stay in the API and CSV.</summary>
static class Money
{
    public static string Usd(decimal value) =>
        "$" + (value != 0 && Math.Abs(value) < 0.01m
            ? value.ToString("0.######", CultureInfo.InvariantCulture)
            : value.ToString("#,0.00", CultureInfo.InvariantCulture));

    /// <summary>Every digit the decimal holds (at least cents): $0.000026565, $12.50, $1,234.567891.</summary>
    public static string Exact(decimal value) =>
        (value < 0 ? "-$" : "$") + Math.Abs(value).ToString("#,0.00##########################", CultureInfo.InvariantCulture);

    /// <summary>A total in cents; one below a cent keeps its digits so it never reads as $0.00.</summary>
    public static string Total(decimal value) =>
        value != 0 && Math.Abs(value) < 0.01m ? Exact(value) : (value < 0 ? "-$" : "$") + Math.Abs(value).ToString("#,0.00", CultureInfo.InvariantCulture);

    public static string Percent(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
