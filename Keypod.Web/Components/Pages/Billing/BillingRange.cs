using System.Globalization;

namespace Keypod.Web.Components.Pages.Billing;

/// <summary>A range of UTC days as the billing pages take it: <see cref="From"/> inclusive, <see cref="To"/> exclusive.</summary>
public readonly record struct BillingRange(DateOnly From, DateOnly To)
{
    public DateOnly LastDay => To.AddDays(-1);

    public static BillingRange MonthToDate(DateOnly today) => new(new DateOnly(today.Year, today.Month, 1), today.AddDays(1));

    public static BillingRange PreviousMonth(DateOnly today)
    {
        var thisMonth = new DateOnly(today.Year, today.Month, 1);
        return new(thisMonth.AddMonths(-1), thisMonth);
    }

    public static BillingRange LastDays(DateOnly today, int days) => new(today.AddDays(1 - days), today.AddDays(1));

    /// <summary>From the query string, where both ends are inclusive days (yyyy-MM-dd); month to date when missing or backwards.</summary>
    public static BillingRange Parse(string? from, string? lastDay, DateOnly today)
    {
        if (DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            && DateOnly.TryParseExact(lastDay, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)
            && end >= start)
        {
            return new(start, end.AddDays(1));
        }
        return MonthToDate(today);
    }
}
