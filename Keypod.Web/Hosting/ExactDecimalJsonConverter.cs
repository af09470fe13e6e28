using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Keypod.Core.Billing;

namespace Keypod.Web.Hosting;

/// <summary>Money leaves as an exact JSON number written from the decimal's own digits (0.0000265650 → 0.000026565).</summary>
sealed class ExactDecimalJsonConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetDecimal(out var number) => number,
            JsonTokenType.String when decimal.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var text) => text,
            _ => throw new JsonException("Expected a decimal number."),
        };

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteRawValue(MoneyText.Format(value), skipInputValidation: true);
}
