using Keypod.Core.Billing;

namespace Keypod.Core.Usage;

/// <summary>
/// Makes the usage a client receives report what Keypod bills: <c>usage.cost</c> becomes the billed amount and
/// <c>usage.cost_details.keypod_upstream_cost</c> keeps the upstream's figure. Only those bytes change; every other
/// byte of the JSON is copied as it was.
/// </summary>
public static class ClientCostRewriter
{
    /// <summary>The field's name, for the docs; the rewrite writes it as UTF-8 literals below.</summary>
    public const string UpstreamCostField = "keypod_upstream_cost";

    /// <summary>Room the rewrite may add to a response: two money numbers and the upstream-cost field with its braces.</summary>
    public const int MaxGrowth = 160;

    /// <summary>Returns the rewritten JSON, or null when <paramref name="facts"/> located no <c>usage.cost</c> number in it.</summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> json, ResponseFacts facts, decimal billedUsd, decimal upstreamUsd)
    {
        var output = new byte[json.Length + MaxGrowth];
        var written = Rewrite(json, facts, billedUsd, upstreamUsd, output);
        return written < 0 ? null : output[..written];
    }

    /// <summary>
    /// Writes the rewritten JSON into <paramref name="destination"/> (at least <c>json.Length + </c><see cref="MaxGrowth"/>
    /// bytes) without allocating; returns its length, or -1 when <paramref name="facts"/> located no <c>usage.cost</c> number.
    /// </summary>
    public static int Rewrite(ReadOnlySpan<byte> json, ResponseFacts facts, decimal billedUsd, decimal upstreamUsd, Span<byte> destination)
    {
        var location = facts.CostLocation;
        if (!location.HasCost || location.CostStart + location.CostLength > json.Length || destination.Length < json.Length + MaxGrowth)
        {
            return -1;
        }
        Span<byte> billed = stackalloc byte[40];
        Span<byte> upstream = stackalloc byte[40];
        billed = billed[..Format(billedUsd, billed)];
        upstream = upstream[..Format(upstreamUsd, upstream)];

        // Two edits, the cost number first: the upstream figure goes into cost_details, which follows it or is created
        // at the end of the usage object.
        int insertAt;
        bool inNewObject, beforeOtherMembers = false;
        if (location.CostDetailsOpen >= 0)
        {
            insertAt = location.CostDetailsOpen + 1;
            var rest = json[insertAt..].TrimStart(" \t\r\n"u8);
            beforeOtherMembers = rest.Length > 0 && rest[0] != (byte)'}';
            inNewObject = false;
        }
        else
        {
            insertAt = location.UsageClose;
            inNewObject = true;
        }

        var writer = new SpanWriter(destination);
        if (insertAt < location.CostStart)
        {
            writer.Write(json[..insertAt]);
            WriteUpstreamField(ref writer, upstream, inNewObject, beforeOtherMembers);
            writer.Write(json[insertAt..location.CostStart]);
            writer.Write(billed);
            writer.Write(json[(location.CostStart + location.CostLength)..]);
        }
        else
        {
            writer.Write(json[..location.CostStart]);
            writer.Write(billed);
            writer.Write(json[(location.CostStart + location.CostLength)..insertAt]);
            WriteUpstreamField(ref writer, upstream, inNewObject, beforeOtherMembers);
            writer.Write(json[insertAt..]);
        }
        return writer.Written;
    }

    static void WriteUpstreamField(ref SpanWriter writer, scoped ReadOnlySpan<byte> upstream, bool inNewObject, bool beforeOtherMembers)
    {
        writer.Write(inNewObject ? ",\"cost_details\":{\"keypod_upstream_cost\":"u8 : "\"keypod_upstream_cost\":"u8);
        writer.Write(upstream);
        if (inNewObject)
        {
            writer.Write("}"u8);
        }
        else if (beforeOtherMembers)
        {
            writer.Write(","u8);
        }
    }

    static int Format(decimal value, Span<byte> destination) =>
        MoneyText.TryFormat(value, destination, out var written) ? written : throw new InvalidOperationException("A money amount did not fit its buffer.");

    ref struct SpanWriter(Span<byte> destination)
    {
        readonly Span<byte> destination = destination;

        public int Written { get; private set; }

        public void Write(scoped ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(destination[Written..]);
            Written += bytes.Length;
        }
    }
}
