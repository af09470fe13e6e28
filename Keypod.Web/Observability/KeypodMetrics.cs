using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Keypod.Core.Configuration;
using Keypod.Core.Ledger;
using Microsoft.Extensions.Options;

namespace Keypod.Web.Observability;

/// <summary>
/// Keypod's own instruments on the <c>Keypod</c> meter. Requests and spend are counted from the ledger's commits, so
/// telemetry agrees with billing and the proxy needs no extra call; spend is a <c>double</c> here because it is only
/// telemetry — the ledger keeps the exact amounts.
/// </summary>
public sealed class KeypodMetrics : IDisposable
{
    public const string MeterName = "Keypod";

    static readonly double[] SecondsBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    static readonly string[] OutcomeNames = Enum.GetValues<Outcome>().Select(ToSnakeCase).ToArray();

    readonly Meter meter;
    readonly Counter<long> requests;
    readonly Histogram<double> proxyDuration;
    readonly Histogram<double> upstreamHeaders;
    readonly Counter<double> billedUsd;
    readonly ConcurrentDictionary<Guid, string> projectTags = new();
    readonly UsageLedger ledger;
    readonly MeterListener upstreamListener;
    readonly (string Host, int Port)? upstreamEndpoint;

    public KeypodMetrics(IMeterFactory meterFactory, UsageLedger ledger, IOptions<KeypodOptions> options)
    {
        this.ledger = ledger;
        meter = meterFactory.Create(MeterName);
        requests = meter.CreateCounter<long>("keypod.requests", unit: "{request}",
            description: "Proxied requests written to the ledger, by endpoint and outcome.");
        proxyDuration = meter.CreateHistogram("keypod.proxy.duration", unit: "s",
            description: "Time from a request's arrival until its ledger row was complete (millisecond resolution).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        upstreamHeaders = meter.CreateHistogram("keypod.upstream.headers.duration", unit: "s",
            description: "Time from sending a request upstream until its response headers arrived.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        billedUsd = meter.CreateCounter<double>("keypod.spend.billed_usd",
            description: "Billed spend in USD (markup included) by project; approximate, the ledger holds exact amounts.");
        meter.CreateObservableGauge("keypod.ledger.queue_depth", () => ledger.QueueDepth, unit: "{entry}",
            description: "Ledger entries waiting for the writer.");

        ledger.Committed += OnCommitted;

        // The proxy's HttpClient already measures time-to-headers (System.Net.Http's http.client.request.duration ends
        // when SendAsync returns, which is at the headers with ResponseHeadersRead); listening to it gives the upstream
        // histogram without a change in the proxy. Only requests to the configured upstream are taken.
        if (Uri.TryCreate(options.Value.OpenRouter.BaseUrl, UriKind.Absolute, out var baseUrl))
        {
            upstreamEndpoint = (baseUrl.Host, baseUrl.Port);
        }
        upstreamListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument is { Meter.Name: "System.Net.Http", Name: "http.client.request.duration" })
                {
                    listener.EnableMeasurementEvents(instrument, this);
                }
            },
        };
        upstreamListener.SetMeasurementEventCallback<double>(OnHttpClientDuration);
        upstreamListener.Start();
    }

    public void RecordRequest(string endpoint, string outcome, double seconds)
    {
        requests.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("outcome", outcome));
        proxyDuration.Record(seconds, new KeyValuePair<string, object?>("endpoint", endpoint));
    }

    public void RecordUpstreamHeaders(double seconds) => upstreamHeaders.Record(seconds);

    public void RecordSpend(Guid projectId, decimal billedUsdAmount)
    {
        if (billedUsdAmount != 0m)
        {
            billedUsd.Add((double)billedUsdAmount, new KeyValuePair<string, object?>("project", ProjectTag(projectId)));
        }
    }

    void OnCommitted(IReadOnlyList<UsageRecord> rows)
    {
        foreach (var row in rows)
        {
            RecordRequest(row.Endpoint, OutcomeNames[(int)row.Outcome], row.LatencyMs / 1000.0);
            if (row.BilledUsd is { } billed)
            {
                RecordSpend(row.ProjectId, billed);
            }
        }
    }

    void OnHttpClientDuration(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (upstreamEndpoint is not { } endpoint)
        {
            return;
        }
        string? host = null;
        int? port = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "server.address")
            {
                host = tag.Value as string;
            }
            else if (tag.Key == "server.port")
            {
                port = tag.Value as int?;
            }
        }
        if (port == endpoint.Port && string.Equals(host, endpoint.Host, StringComparison.OrdinalIgnoreCase))
        {
            RecordUpstreamHeaders(seconds);
        }
    }

    string ProjectTag(Guid projectId) => projectTags.GetOrAdd(projectId, id => id.ToString());

    static string ToSnakeCase(Outcome outcome) =>
        string.Concat(outcome.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public void Dispose()
    {
        ledger.Committed -= OnCommitted;
        upstreamListener.Dispose();
        meter.Dispose();
    }
}
