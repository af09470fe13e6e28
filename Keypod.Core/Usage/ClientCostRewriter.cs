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
        edits.Sort((a, b) => b.Position.CompareTo(a.Position));

        var output = new List<byte>(json.Length + 96);
        var end = json.Length;
        var pieces = new Stack<byte[]>();
        foreach (var (position, remove, insert) in edits)
        {
            pieces.Push(json[(position + remove)..end].ToArray());
            pieces.Push(Encoding.UTF8.GetBytes(insert));
            end = position;
        }
        output.AddRange(json[..end].ToArray());
        while (pieces.Count > 0)
        {
            output.AddRange(pieces.Pop());
        }
        return [.. output];
    }
}
