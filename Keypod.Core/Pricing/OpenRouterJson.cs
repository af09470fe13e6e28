using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keypod.Core.Pricing;

/// <summary>How Keypod reads OpenRouter's JSON: snake_case names, and money as <see cref="decimal"/> from strings or numbers.</summary>
public static class OpenRouterJson
{
    public static JsonSerializerContext Context => OpenRouterJsonContext.Default;

    public static JsonSerializerOptions Options => OpenRouterJsonContext.Default.Options;
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(DecimalTextConverter)])]
[JsonSerializable(typeof(ModelListResponse))]
[JsonSerializable(typeof(ModelPricing))]
[JsonSerializable(typeof(GenerationResponse))]
[JsonSerializable(typeof(ListedModel.WireModel))]
partial class OpenRouterJsonContext : JsonSerializerContext;

/// <summary>
/// Prices arrive as decimal strings such as <c>"0.00000008333333333333334"</c> (sometimes with an exponent), costs as
/// JSON numbers; both are parsed straight into <see cref="decimal"/>, never through <see cref="double"/>.
/// </summary>
sealed class DecimalTextConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var number))
        {
            return number;
        }
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => throw new JsonException($"Expected a decimal number or string, got {reader.TokenType}."),
        };
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new JsonException($"'{text}' is not a decimal number.");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
}
