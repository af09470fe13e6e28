using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Keypod.Core.Billing;
using Keypod.Core.Ledger;
using Keypod.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Keypod.Tests.Gateway;

public sealed class GatewayBasicsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    /// <summary>The cURL example of the public docs page, with keys from the management API and this host.</summary>
    [Fact]
    public async Task The_seed_curl_example_returns_the_upstream_response_and_bills_cost_plus_10_percent()
    {
        var keys = await fixture.App.CreateKeysAsync();
        const string body = """
            {
                "model": "openrouter/model-from-search",
                "messages": [
                  {"role": "user", "content": "Hello!"}
                ]
              }
            """;
        using var client = fixture.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {keys.Bearer}");
        request.Headers.TryAddWithoutValidation("HTTP-Referer", "https://example.com/app");
        request.Headers.TryAddWithoutValidation("X-Title", "Example App");
        request.Headers.TryAddWithoutValidation("Connection", "keep-alive");

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var upstreamCapture = Fixtures.Bytes(FakeOpenRouter.DefaultChatFixture);
        using var received = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        using var sent = JsonDocument.Parse(upstreamCapture);
        received.RootElement.GetProperty("id").GetString().Should().Be(sent.RootElement.GetProperty("id").GetString());
        received.RootElement.GetProperty("choices").GetRawText().Should().Be(sent.RootElement.GetProperty("choices").GetRawText());
        response.Headers.GetValues("X-Generation-Id").Should().Equal(sent.RootElement.GetProperty("id").GetString());

        var forwarded = fixture.Upstream.LastRequest;
        Encoding.UTF8.GetString(forwarded.Body).Should().Be(body, "the body is forwarded unchanged");
        forwarded.Headers["Authorization"].Should().Be("Bearer " + KeypodApp.UpstreamKey);
        forwarded.Headers["HTTP-Referer"].Should().Be("https://example.com/app");
        forwarded.Headers["X-Title"].Should().Be("Example App");
        forwarded.Headers["Content-Type"].Should().Be("application/json; charset=utf-8", "the client's content type passes as it came");
        forwarded.Headers.Should().NotContainKey("Connection");
        forwarded.Headers.Values.Should().NotContain(v => v.Contains(keys.UserKey, StringComparison.Ordinal));

        var cost = FixtureExpectations.CostOfBody(upstreamCapture)!.Value;
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Should().ContainSingle().Subject;
        row.UpstreamCostUsd.Should().Be(cost);
        row.BilledUsd.Should().Be(cost * 1.10m);
        row.MarkupPercent.Should().Be(10m);
        row.Model.Should().Be("openrouter/model-from-search");
        row.ServedModel.Should().Be(sent.RootElement.GetProperty("model").GetString());
        row.UserId.Should().Be(keys.UserId);

        using var admin = fixture.App.CreateAdminClient();
        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/requests?limit=10");
        var item = page.GetProperty("items")[0];
        item.GetProperty("upstreamCostUsd").GetDecimal().Should().Be(cost);
        item.GetProperty("billedUsd").GetDecimal().Should().Be(cost * 1.10m);
        item.GetProperty("costSource").GetString().Should().Be("upstream");
        item.GetProperty("outcome").GetString().Should().Be("completed");
        item.GetProperty("billedUsd").GetRawText().Should().NotContain("E", "money is written as exact decimal digits");
    }

    /// <summary>With tracing listened to in the process (as an OpenTelemetry exporter would), Keypod's spans stay inside.</summary>
    [Fact]
    public async Task Keypods_own_trace_context_is_not_sent_to_the_upstream()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        // A client that sends no trace context itself: whatever trace header reaches the upstream would be Keypod's.
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = fixture.App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {keys.Bearer}");

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        fixture.Upstream.LastRequest.Headers.Should().NotContainKeys("traceparent", "tracestate", "Request-Id", "baggage");
    }

    [Fact]
    public async Task The_database_holds_no_plaintext_key()
    {
        var keys = await fixture.App.CreateKeysAsync();

        var everything = new StringBuilder();
        await using (var connection = new SqliteConnection($"Data Source={fixture.App.DatabasePath};Mode=ReadOnly"))
        {
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
                await using var reader = await list.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }
            tables.Should().Contain(["ProjectKeys", "UserKeys"]);
            foreach (var table in tables)
            {
                await using var select = connection.CreateCommand();
                select.CommandText = $"SELECT * FROM \"{table}\"";
                await using var reader = await select.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        everything.Append(reader.GetValue(i) is byte[] blob ? Encoding.Latin1.GetString(blob) : reader.GetValue(i)).Append('|');
                    }
                }
            }
        }

        var dump = everything.ToString();
        dump.Should().Contain(keys.ProjectKey[..12], "the display prefix is stored");
        dump.Should().NotContain(keys.ProjectKey[..20]).And.NotContain(keys.UserKey[..16]);
        dump.Should().NotContain(keys.ProjectKey[^20..]).And.NotContain(keys.UserKey[^20..]);
    }

    [Fact]
    public async Task Keys_have_the_documented_shape_and_are_shown_only_once()
    {
        var keys = await fixture.App.CreateKeysAsync();
        keys.ProjectKey.Should().MatchRegex("^kp_proj_[0-9A-Za-z]{32,}$");
        keys.UserKey.Should().MatchRegex("^user_[0-9A-Za-z]{32,}$");

        using var admin = fixture.App.CreateAdminClient();
        var listed = await admin.GetStringAsync($"/api/v1/projects/{keys.ProjectId}/keys");
        listed.Should().NotContain(keys.ProjectKey).And.Contain(keys.ProjectKey[..12]);
        var userKeys = await admin.GetStringAsync($"/api/v1/projects/{keys.ProjectId}/users/{keys.UserId}/keys");
        userKeys.Should().NotContain(keys.UserKey).And.NotContain("\"key\"");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Revoking_a_key_rejects_it_on_the_next_request(bool revokeProjectKey)
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);
        using var admin = fixture.App.CreateAdminClient();
        (await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("""{"model":"m","messages":[]}"""))).StatusCode.Should().Be(HttpStatusCode.OK);

        var path = revokeProjectKey
            ? $"/api/v1/projects/{keys.ProjectId}/keys/{keys.ProjectKeyId}"
            : $"/api/v1/projects/{keys.ProjectId}/users/{keys.UserId}/keys/{keys.UserKeyId}";
        (await admin.DeleteAsync(path)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        using var response = await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("""{"model":"m","messages":[]}"""));
        await ProxyErrorTests.AssertEnvelopeAsync(response, 401);
    }

    [Fact]
    public async Task Project_key_rotation_keeps_both_keys_working_until_the_old_one_is_revoked()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var admin = fixture.App.CreateAdminClient();
        var created = await (await admin.PostAsJsonAsync($"/api/v1/projects/{keys.ProjectId}/keys", new { name = "rotated" })).Content.ReadFromJsonAsync<JsonElement>();
        var newBearer = $"{created.GetProperty("key").GetString()}:{keys.UserKey}";
        using var oldClient = fixture.App.CreateClient(keys.Bearer);
        using var newClient = fixture.App.CreateClient(newBearer);

        (await oldClient.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await newClient.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"))).StatusCode.Should().Be(HttpStatusCode.OK);
        await admin.DeleteAsync($"/api/v1/projects/{keys.ProjectId}/keys/{keys.ProjectKeyId}");
        (await oldClient.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await newClient.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_project_markup_override_applies_to_its_new_requests_only()
    {
        var keys = await fixture.App.CreateKeysAsync();
        var other = await fixture.App.CreateKeysAsync("Other");
        using var client = fixture.App.CreateClient(keys.Bearer);
        using var otherClient = fixture.App.CreateClient(other.Bearer);
        using var admin = fixture.App.CreateAdminClient();
        await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));

        (await admin.PatchAsJsonAsync($"/api/v1/projects/{keys.ProjectId}", new { markupPercent = 25 })).EnsureSuccessStatusCode();
        await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
        await otherClient.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));

        var rows = await fixture.App.LedgerAsync(keys.ProjectId);
        rows.Select(r => r.MarkupPercent).Should().Equal(10m, 25m);
        rows[1].BilledUsd.Should().Be(Markup.Bill(rows[1].UpstreamCostUsd!.Value, 25m));
        rows[0].BilledUsd.Should().Be(rows[0].UpstreamCostUsd * 1.10m, "earlier rows keep the markup of their time");
        (await fixture.App.LedgerAsync(other.ProjectId)).Single().MarkupPercent.Should().Be(10m);
    }

    [Fact]
    public async Task Key_and_generation_endpoints_report_the_callers_own_spend()
    {
        var keys = await fixture.App.CreateKeysAsync();
        var stranger = await fixture.App.CreateKeysAsync("Stranger");
        using var client = fixture.App.CreateClient(keys.Bearer);
        await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();

        var key = await client.GetFromJsonAsync<JsonElement>("/v1/key");
        key.GetProperty("data").GetProperty("usage").GetDecimal().Should().Be(row.BilledUsd!.Value);
        key.GetProperty("data").GetProperty("usage_daily").GetDecimal().Should().Be(row.BilledUsd!.Value);
        key.GetProperty("data").GetProperty("usage_monthly").GetDecimal().Should().Be(row.BilledUsd!.Value);

        var generation = await client.GetFromJsonAsync<JsonElement>($"/v1/generation?id={row.GenerationId}");
        generation.GetProperty("data").GetProperty("total_cost").GetDecimal().Should().Be(row.BilledUsd!.Value);
        generation.GetProperty("data").GetProperty("model").GetString().Should().Be(row.ServedModel);

        using var strangerClient = fixture.App.CreateClient(stranger.Bearer);
        (await strangerClient.GetAsync($"/v1/generation?id={row.GenerationId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await fixture.App.CreateClient().GetAsync("/v1/key")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Health_answers_once_the_database_is_migrated_and_the_writer_runs()
    {
        using var client = fixture.App.CreateClient();
        (await client.GetStringAsync("/healthz")).Should().Be("ok");
    }
}
