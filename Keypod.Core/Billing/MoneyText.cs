using System.Globalization;

namespace Keypod.Core.Billing;

public static class MoneyText
{
    /// <summary>A decimal as a plain JSON/CSV number: no exponent, no trailing zeros (0.000026565, not 2.6565E-05).</summary>
    public static string Format(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);
}
