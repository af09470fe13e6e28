using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Keypod.Tests.Gateway;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Management;

public sealed class ManagementApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-master-key-0123456789")]
    [InlineData("Bearer ")]
    public async Task Every_route_refuses_callers_without_the_master_key(string? authorization)
    {
        var keys = await fixture.App.CreateKeysAsync();
        var routes = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, "/api/v1/projects"),
            (HttpMethod.Get, "/api/v1/projects"),
            (HttpMethod.Get, $"/api/v1/projects/{keys.ProjectId}"),
            (HttpMethod.Patch, $"/api/v1/projects/{keys.ProjectId}"),
            (HttpMethod.Post, $"/api/v1/projects/{keys.ProjectId}/keys"),
            (HttpMethod.Get, $"/api/v1/projects/{keys.ProjectId}/keys"),
            (HttpMethod.Delete, $"/api/v1/projects/{keys.ProjectId}/keys/{keys.ProjectKeyId}"),
            (HttpMethod.Post, $"/api/v1/projects/{keys.ProjectId}/users"),
            (HttpMethod.Get, $"/api/v1/projects/{keys.ProjectId}/users"),
            (HttpMethod.Post, $"/api/v1/projects/{keys.ProjectId}/users/{keys.UserId}/keys"),
            (HttpMethod.Get, $"/api/v1/projects/{keys.ProjectId}/users/{keys.UserId}/keys"),
            (HttpMethod.Delete, $"/api/v1/projects/{keys.ProjectId}/users/{keys.UserId}/keys/{keys.UserKeyId}"),
            (HttpMethod.Get, $"/api/v1/projects/{keys.ProjectId}/requests"),
            (HttpMethod.Get, $"/api/v1/projects/{keys.ProjectId}/usage"),
        };
        using var client = fixture.App.CreateClient();
        foreach (var (method, path) in routes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(new { name = "x" }) };
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
            using var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"{method} {path}");
        }
        using var admin = fixture.App.CreateAdminClient();
        (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/keys")).EnumerateArray()
            .Should().OnlyContain(k => k.GetProperty("revokedAt").ValueKind == JsonValueKind.Null, "nothing was revoked by the refused calls");
    }

    [Fact]
    public async Task Projects_can_be_created_listed_renamed_and_disabled()
    {
        using var admin = fixture.App.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/api/v1/projects", new { name = "  Billing team  " });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var project = await created.Content.ReadFromJsonAsync<JsonElement>();
        project.GetProperty("name").GetString().Should().Be("Billing team");
        project.GetProperty("effectiveMarkupPercent").GetDecimal().Should().Be(10m);
        var id = project.GetProperty("id").GetGuid();

        var patched = await (await admin.PatchAsJsonAsync($"/api/v1/projects/{id}", new { name = "Renamed", markupPercent = 12.5m, disabled = true }))
            .Content.ReadFromJsonAsync<JsonElement>();
        patched.GetProperty("name").GetString().Should().Be("Renamed");
        patched.GetProperty("markupPercent").GetDecimal().Should().Be(12.5m);
        patched.GetProperty("disabled").GetBoolean().Should().BeTrue();

        var cleared = await (await admin.PatchAsync($"/api/v1/projects/{id}", ProxyErrorTests.Json("""{"markupPercent":null}""")))
            .Content.ReadFromJsonAsync<JsonElement>();
        cleared.GetProperty("markupPercent").ValueKind.Should().Be(JsonValueKind.Null);
        cleared.GetProperty("effectiveMarkupPercent").GetDecimal().Should().Be(10m);

        var list = await admin.GetFromJsonAsync<JsonElement>("/api/v1/projects");
        list.EnumerateArray().Should().Contain(p => p.GetProperty("id").GetGuid() == id);
    }

    [Theory]
    [InlineData("/api/v1/projects", """{"name":""}""")]
    [InlineData("/api/v1/projects", """{"name":"x","markupPercent":-1}""")]
    [InlineData("/api/v1/projects", """{"name":"x","markupPercent":"ten"}""")]
    [InlineData("/api/v1/projects", """not json""")]
    public async Task Invalid_input_gets_400_in_the_envelope(string path, string body)
    {
        using var admin = fixture.App.CreateAdminClient();
        using var response = await admin.PostAsync(path, ProxyErrorTests.Json(body));
        ((int)response.StatusCode).Should().Be(400);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("Exception").And.NotContain(" at ");
    }

    [Fact]
    public async Task Unknown_ids_get_404()
    {
        using var admin = fixture.App.CreateAdminClient();
        var missing = Guid.NewGuid();
        (await admin.GetAsync($"/api/v1/projects/{missing}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.PostAsJsonAsync($"/api/v1/projects/{missing}/keys", new { name = "k" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.GetAsync($"/api/v1/projects/{missing}/requests")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var keys = await fixture.App.CreateKeysAsync();
        (await admin.DeleteAsync($"/api/v1/projects/{keys.ProjectId}/keys/{keys.UserKeyId}")).StatusCode.Should().Be(HttpStatusCode.NotFound,
            "a user key id is not a project key id");
    }

    [Fact]
    public async Task The_request_log_pages_newest_first_and_filters_by_user()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var admin = fixture.App.CreateAdminClient();
        var second = await (await admin.PostAsJsonAsync($"/api/v1/projects/{keys.ProjectId}/users", new { name = "Grace" })).Content.ReadFromJsonAsync<JsonElement>();
        var secondId = second.GetProperty("id").GetGuid();
        var secondKey = await (await admin.PostAsJsonAsync($"/api/v1/projects/{keys.ProjectId}/users/{secondId}/keys", new { })).Content.ReadFromJsonAsync<JsonElement>();
        using var ada = fixture.App.CreateClient(keys.Bearer);
        using var grace = fixture.App.CreateClient($"{keys.ProjectKey}:{secondKey.GetProperty("key").GetString()}");
        for (var i = 0; i < 5; i++)
        {
            await ada.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
        }
        await grace.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
        await fixture.App.LedgerAsync(keys.ProjectId);

        var first = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/requests?limit=4");
        var ids = first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();
        ids.Should().HaveCount(4).And.BeInDescendingOrder();
        var cursor = first.GetProperty("nextCursor").GetString();
        var rest = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/requests?limit=4&cursor={cursor}");
        rest.GetProperty("items").GetArrayLength().Should().Be(2);
        rest.GetProperty("nextCursor").ValueKind.Should().Be(JsonValueKind.Null);

        var graceOnly = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/requests?userId={secondId}");
        graceOnly.GetProperty("items").EnumerateArray().Should().ContainSingle().Which.GetProperty("userId").GetGuid().Should().Be(secondId);

        (await admin.GetAsync($"/api/v1/projects/{keys.ProjectId}/requests?limit=10001")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.GetAsync($"/api/v1/projects/{keys.ProjectId}/requests?cursor=abc")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Usage_groups_by_user_model_and_day_with_exact_totals()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);
        for (var i = 0; i < 3; i++)
        {
            await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
        }
        var rows = await fixture.App.LedgerAsync(keys.ProjectId);
        using var admin = fixture.App.CreateAdminClient();

        foreach (var groupBy in new[] { "user", "model", "day" })
        {
            var report = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/usage?groupBy={groupBy}");
            var item = report.GetProperty("items").EnumerateArray().Should().ContainSingle().Subject;
            item.GetProperty("requests").GetInt64().Should().Be(3);
            item.GetProperty("billedUsd").GetDecimal().Should().Be(rows.Sum(r => r.BilledUsd!.Value));
            item.GetProperty("upstreamCostUsd").GetDecimal().Should().Be(rows.Sum(r => r.UpstreamCostUsd!.Value));
            report.GetProperty("totals").GetProperty("billedUsd").GetDecimal().Should().Be(rows.Sum(r => r.BilledUsd!.Value));
            var expectedKey = groupBy switch
            {
                "user" => keys.UserId.ToString(),
                "model" => rows[0].ServedModel,
                _ => DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            };
            item.GetProperty("key").GetString().Should().Be(expectedKey);
        }
        (await admin.GetAsync($"/api/v1/projects/{keys.ProjectId}/usage?groupBy=planet")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_management_api()
    {
        using var client = fixture.App.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain(["/api/v1/projects", "/api/v1/projects/{projectId}/keys", "/api/v1/projects/{projectId}/usage"]);
    }
}
