using System.Text;
using System.Text.Json;

namespace Keypod.Tests.Gateway;

/// <summary>What a capture says it cost, read independently of Keypod's scanner (JsonDocument, last chunk with usage).</summary>
static class FixtureExpectations
{
    public static decimal? CostOfStream(byte[] sse)
    {
        decimal? cost = null;
        foreach (var line in Encoding.UTF8.GetString(sse).Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }
            using var chunk = JsonDocument.Parse(line["data: ".Length..]);
            if (chunk.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                cost = Charged(usage);
            }
        }
        return cost;
    }

    public static decimal? CostOfBody(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object ? Charged(usage) : null;
    }

    static decimal? Charged(JsonElement usage)
    {
        var byok = usage.TryGetProperty("is_byok", out var b) && b.ValueKind == JsonValueKind.True;
        if (byok && usage.TryGetProperty("cost_details", out var details) && details.TryGetProperty("upstream_inference_cost", out var upstream)
            && upstream.ValueKind == JsonValueKind.Number)
        {
            return upstream.GetDecimal();
        }
        return usage.TryGetProperty("cost", out var cost) && cost.ValueKind == JsonValueKind.Number ? cost.GetDecimal() : null;
    }
}
