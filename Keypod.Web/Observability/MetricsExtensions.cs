using OpenTelemetry.Metrics;

namespace Keypod.Web.Observability;

/// <summary>OpenTelemetry metrics, scraped in Prometheus text format at <c>/metrics</c>.</summary>
static class MetricsExtensions
{
    public const string ScrapePath = "/metrics";
    const string ScrapePolicy = "MetricsScrape";

    public static IServiceCollection AddKeypodMetrics(this IServiceCollection services)
    {
        services.AddSingleton<KeypodMetrics>();
        services.AddAuthorizationBuilder().AddPolicy(ScrapePolicy, policy => policy
            .AddAuthenticationSchemes(Auth.AuthenticationSetup.ManagementScheme)
            .RequireRole(Auth.KeypodClaims.AdminRole));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(KeypodMetrics.MeterName)
            // The runtime's own meter: GC allocations and pauses, thread pool queue, working set.
            .AddMeter("System.Runtime")
            .AddAspNetCoreInstrumentation()
            // A scrape renders once and is served from cache to scrapes within the next second.
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 1000));
        return services;
    }

    public static void MapKeypodMetrics(this WebApplication app)
    {
        // Created now rather than on first use so it is subscribed to the ledger before the first request.
        app.Services.GetRequiredService<KeypodMetrics>();
        // Spend per project is business data: scrapers authenticate like the management API (an admin API token).
        app.MapPrometheusScrapingEndpoint(ScrapePath)
            .WithMetadata(new HttpMethodMetadata(["GET"]))
            .RequireAuthorization(ScrapePolicy)
            .ExcludeFromDescription();
    }
}
