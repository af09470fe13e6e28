using System.Diagnostics;

namespace Keypod.Bench;

/// <summary>
/// Non-streaming latency at concurrency 1. Targets are interleaved request by request (in rotating order) so that
/// noise from other work on the machine falls on all of them alike. Requests are sent with the synchronous API: the
/// client then blocks in the socket call instead of handing each completion to a spinning thread pool, so it takes as
/// little as it can of the two cores it shares with the servers it measures.
/// </summary>
static class LatencyProbe
{
    public static Task<int> RunAsync(Arguments args)
    {
        var targets = Target.Parse(args);
        var warmup = args.GetInt("warmup", 500);
        var count = args.GetInt("n", 3000);
        var body = Target.ChatBody(stream: false);
        var clients = targets.Select(_ => Target.NewClient(1)).ToArray();
        var samples = targets.Select(_ => new List<double>(count)).ToArray();
        var errors = new int[targets.Count];
        var sent = new int[targets.Count];

        for (var i = 0; i < warmup + count; i++)
        {
            for (var k = 0; k < targets.Count; k++)
            {
                var t = (i + k) % targets.Count;
                var started = Stopwatch.GetTimestamp();
                var ok = false;
                try
                {
                    using var request = targets[t].NewRequest(body);
                    using var response = clients[t].Send(request, HttpCompletionOption.ResponseContentRead);
                    response.Content.ReadAsStream().CopyTo(Stream.Null);
                    ok = response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                }
                var elapsedUs = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                sent[t]++;
                if (!ok)
                {
                    errors[t]++;
                }
                else if (i >= warmup)
                {
                    samples[t].Add(elapsedUs);
                }
            }
        }

        for (var t = 0; t < targets.Count; t++)
        {
            var sorted = samples[t].Order().ToList();
            var name = targets[t].Name;
            Results.Append(args,
                ($"latency_{name}_p50_us", Results.Percentile(sorted, 50)),
                ($"latency_{name}_p99_us", Results.Percentile(sorted, 99)),
                ($"latency_{name}_mean_us", sorted.Count == 0 ? double.NaN : sorted.Average()),
                ($"latency_{name}_samples", sorted.Count),
                ($"latency_{name}_sent", sent[t]),
                ($"latency_{name}_errors", errors[t]));
        }
        return Task.FromResult(errors.Sum() == 0 ? 0 : 1);
    }
}
