using System.Buffers;
using System.Diagnostics;

namespace Keypod.Bench;

/// <summary>
/// Streaming at concurrency 1: time to the first <c>data:</c> event, the gaps between events as the client sees
/// them, and whether any two events (sent <c>gap</c> ms apart upstream) arrived in one read, which means somebody
/// buffered.
/// </summary>
static class StreamProbe
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var targets = Target.Parse(args);
        var count = args.GetInt("n", 150);
        var warmup = args.GetInt("warmup", 20);
        var gapMs = args.GetInt("gap-ms", 5);
        var events = args.GetInt("events", 6);
        var expectedDataEvents = 1 + events + 3;
        var body = Target.ChatBody(stream: true, gapMs, events);
        var clients = targets.Select(_ => Target.NewClient(1)).ToArray();
        var ttfb = targets.Select(_ => new List<double>()).ToArray();
        var gaps = targets.Select(_ => new List<double>()).ToArray();
        var coalesced = new int[targets.Count];
        var errors = new int[targets.Count];
        var sent = new int[targets.Count];

        for (var i = 0; i < warmup + count; i++)
        {
            for (var k = 0; k < targets.Count; k++)
            {
                var t = (i + k) % targets.Count;
                sent[t]++;
                var measured = i >= warmup;
                try
                {
                    var result = await RunOneAsync(clients[t], targets[t], body);
                    if (result.DataEvents != expectedDataEvents || !result.SawDone)
                    {
                        errors[t]++;
                        continue;
                    }
                    if (measured)
                    {
                        ttfb[t].Add(result.TtfbUs);
                        gaps[t].AddRange(result.GapsMs);
                        coalesced[t] += result.Coalesced;
                    }
                }
                catch (HttpRequestException)
                {
                    errors[t]++;
                }
            }
        }

        for (var t = 0; t < targets.Count; t++)
        {
            var name = targets[t].Name;
            var sortedTtfb = ttfb[t].Order().ToList();
            var sortedGaps = gaps[t].Order().ToList();
            Results.Append(args,
                ($"stream_{name}_ttfb_p50_us", Results.Percentile(sortedTtfb, 50)),
                ($"stream_{name}_ttfb_p99_us", Results.Percentile(sortedTtfb, 99)),
                ($"stream_{name}_gap_p50_ms", Results.Percentile(sortedGaps, 50)),
                ($"stream_{name}_gap_p99_ms", Results.Percentile(sortedGaps, 99)),
                ($"stream_{name}_coalesced_events", coalesced[t]),
                ($"stream_{name}_events_per_stream", expectedDataEvents),
                ($"stream_{name}_samples", sortedTtfb.Count),
                ($"stream_{name}_sent", sent[t]),
                ($"stream_{name}_errors", errors[t]));
        }
        Results.Append(args, ("stream_gap_nominal_ms", gapMs));
        return errors.Sum() == 0 ? 0 : 1;
    }

    sealed record StreamResult(double TtfbUs, List<double> GapsMs, int DataEvents, int Coalesced, bool SawDone);

    static async Task<StreamResult> RunOneAsync(HttpClient client, Target target, byte[] body)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = target.NewRequest(body);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var content = await response.Content.ReadAsStreamAsync();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var held = 0;
        double ttfb = -1;
        long lastEvent = 0;
        var gaps = new List<double>();
        var dataEvents = 0;
        var coalesced = 0;
        var sawDone = false;
        try
        {
            while (true)
            {
                var read = await content.ReadAsync(buffer.AsMemory(held));
                if (read == 0)
                {
                    break;
                }
                var now = Stopwatch.GetTimestamp();
                held += read;
                var span = buffer.AsSpan(0, held);
                var consumed = 0;
                var inThisRead = 0;
                int end;
                while ((end = span[consumed..].IndexOf("\n\n"u8)) >= 0)
                {
                    var evt = span.Slice(consumed, end);
                    consumed += end + 2;
                    if (!evt.StartsWith("data:"u8))
                    {
                        continue;
                    }
                    dataEvents++;
                    inThisRead++;
                    sawDone |= evt.EndsWith("[DONE]"u8);
                    if (ttfb < 0)
                    {
                        ttfb = Stopwatch.GetElapsedTime(started, now).TotalMicroseconds;
                    }
                    else
                    {
                        gaps.Add(Stopwatch.GetElapsedTime(lastEvent, now).TotalMilliseconds);
                    }
                    lastEvent = now;
                }
                coalesced += Math.Max(0, inThisRead - 1);
                span[consumed..].CopyTo(buffer);
                held -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new StreamResult(ttfb, gaps, dataEvents, coalesced, sawDone);
    }
}
