using System.Globalization;

namespace Keypod.Core.Billing;

public static class MoneyText
{
    const string Pattern = "0.############################";

    /// <summary>A decimal as a plain JSON/CSV number: no exponent, no trailing zeros (0.000026565, not 2.6565E-05).</summary>
    public static string Format(decimal value) => value.ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>The same text as <see cref="Format"/>, written as UTF-8 into <paramref name="destination"/> without allocating.</summary>
    public static bool TryFormat(decimal value, Span<byte> destination, out int written) =>
        value.TryFormat(destination, out written, Pattern, CultureInfo.InvariantCulture);
}
