using System.Net.Http.Json;
using System.Text.Json;
using Keypod.Core.Ledger;
using Keypod.Web.Observability;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Keypod.Tests.Observability;

public sealed class MetricsTests : IDisposable
{
    readonly string directory = Path.Combine(Path.GetTempPath(), "keypod-metrics-" + Guid.NewGuid().ToString("N"));
    readonly WebApplicationFactory<Program> factory;

    public MetricsTests()
    {
        Directory.CreateDirectory(directory);
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:Keypod", $"Data Source={Path.Combine(directory, "keypod.db")}");
            builder.UseSetting("Keypod:Admin:MasterKey", "metrics-test-master-key-32chars!");
            builder.UseSetting("Keypod:OpenRouter:BaseUrl", "http://127.0.0.1:9/api/v1");
        });
    }

    [Fact]
    public async Task Metrics_endpoint_serves_prometheus_text_with_keypod_series()
    {
        using var client = factory.CreateClient();
        (await client.GetAsync("/metrics")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized, "spend per project is not public");
        client.DefaultRequestHeaders.Authorization = new("Bearer", "metrics-test-master-key-32chars!");
        var metrics = factory.Services.GetRequiredService<KeypodMetrics>();
        metrics.RecordRequest("chat/completions", "completed", 0.012);
        metrics.RecordUpstreamHeaders(0.008);
        metrics.RecordSpend(Guid.NewGuid(), 0.0000265m);
        (await client.GetAsync("/healthz")).EnsureSuccessStatusCode();

        var response = await client.GetAsync("/metrics");

        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("# TYPE keypod_requests_total counter")
            .And.MatchRegex("endpoint=\"chat/completions\",outcome=\"completed\"} [1-9]")
            .And.Contain("keypod_proxy_duration_seconds_bucket")
            .And.Contain("keypod_upstream_headers_duration_seconds_bucket")
            .And.Contain("keypod_spend_billed_usd_total{")
            .And.Contain("keypod_ledger_queue_depth")
            .And.Contain("http_server_request_duration_seconds_bucket")
            .And.Contain("dotnet_gc_heap_total_allocated_bytes_total");
    }

    [Fact]
    public async Task Committed_ledger_rows_are_counted_with_their_spend()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "metrics-test-master-key-32chars!");
        var project = await PostAsync(client, "/api/v1/projects", new { name = "metrics" });
        var projectId = project.GetProperty("id").GetGuid();
        var projectKey = await PostAsync(client, $"/api/v1/projects/{projectId}/keys", new { name = "k" });
        var user = await PostAsync(client, $"/api/v1/projects/{projectId}/users", new { name = "u" });
        var userId = user.GetProperty("id").GetGuid();
        var userKey = await PostAsync(client, $"/api/v1/projects/{projectId}/users/{userId}/keys", new { name = "k" });
        var ledger = factory.Services.GetRequiredService<UsageLedger>();

        await ledger.AppendAsync(new UsageRecord
        {
            RequestId = "req_" + Guid.NewGuid().ToString("N"),
            CreatedAt = DateTime.UtcNow,
            ProjectId = projectId,
            ProjectKeyId = projectKey.GetProperty("id").GetGuid(),
            UserId = userId,
            UserKeyId = userKey.GetProperty("id").GetGuid(),
            Endpoint = "embeddings",
            Status = 502,
            Outcome = Outcome.UpstreamError,
            BilledUsd = 0.25m,
            UpstreamCostUsd = 0.25m,
            CostSource = CostSource.Upstream,
            LatencyMs = 40,
        });
        var text = await client.GetStringAsync("/metrics");

        text.Should().Contain("endpoint=\"embeddings\",outcome=\"upstream_error\"} 1")
            .And.Contain($"keypod_spend_billed_usd_total{{otel_scope_name=\"Keypod\",project=\"{projectId}\"}} 0.25");
    }

    static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public void Dispose()
    {
        factory.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
