using System.Text;
using Keypod.Core.Billing;

namespace Keypod.Core.Usage;

/// <summary>
/// Makes the usage a client receives report what Keypod bills: <c>usage.cost</c> becomes the billed amount and
/// <c>usage.cost_details.keypod_upstream_cost</c> keeps the upstream's figure. Only those bytes change; every other
/// byte of the JSON is copied as it was.
/// </summary>
public static class ClientCostRewriter
{
    public const string UpstreamCostField = "keypod_upstream_cost";

    /// <summary>Returns the rewritten JSON, or null when <paramref name="facts"/> located no <c>usage.cost</c> number in it.</summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> json, ResponseFacts facts, decimal billedUsd, decimal upstreamUsd)
    {
        var location = facts.CostLocation;
        if (!location.HasCost || location.CostStart + location.CostLength > json.Length)
        {
            return null;
        }
        var edits = new List<(int Position, int Remove, string Insert)>
        {
            (location.CostStart, location.CostLength, MoneyText.Format(billedUsd)),
        };
        var upstreamField = $"\"{UpstreamCostField}\":{MoneyText.Format(upstreamUsd)}";
        if (location.CostDetailsOpen >= 0)
        {
            var afterBrace = location.CostDetailsOpen + 1;
            var rest = json[afterBrace..].TrimStart(" \t\r\n"u8);
            var emptyObject = rest.Length > 0 && rest[0] == (byte)'}';
            edits.Add((afterBrace, 0, emptyObject ? upstreamField : upstreamField + ","));
        }
        else
        {
            edits.Add((location.UsageClose, 0, ",\"cost_details\":{" + upstreamField + "}"));
        }
        edits.Sort((a, b) => a.Position.CompareTo(b.Position));

        var inserts = edits.Select(e => Encoding.UTF8.GetBytes(e.Insert)).ToArray();
        var output = new byte[json.Length + inserts.Sum(i => i.Length) - edits.Sum(e => e.Remove)];
        int read = 0, written = 0;
        for (var i = 0; i < edits.Count; i++)
        {
            var untouched = json[read..edits[i].Position];
            untouched.CopyTo(output.AsSpan(written));
            written += untouched.Length;
            inserts[i].CopyTo(output, written);
            written += inserts[i].Length;
            read = edits[i].Position + edits[i].Remove;
        }
        json[read..].CopyTo(output.AsSpan(written));
        return output;
    }
}
