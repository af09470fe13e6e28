using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Keypod.Core.Data;
using Keypod.Tests.Gateway;
using Keypod.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keypod.Tests.Reliability;

#pragma warning disable CA1416 // Keypod runs on Linux; these tests check Unix permissions.

public sealed class SecurityTests
{
    [Fact]
    public async Task No_key_ever_reaches_the_logs_responses_or_exceptions()
    {
        await using var upstream = await FakeOpenRouter.StartAsync();
        await using var app = new KeypodApp(upstream, new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" });
        var logs = app.Log;
        var keys = await app.CreateKeysAsync();
        var responses = new List<string>();
        using (var client = app.CreateClient(keys.Bearer))
        {
            responses.Add(await (await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"))).Content.ReadAsStringAsync());
            responses.Add(await (await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("""{"stream":true}"""))).Content.ReadAsStringAsync());
            responses.Add(await (await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{broken"))).Content.ReadAsStringAsync());
            responses.Add(await (await client.GetAsync("/v1/key")).Content.ReadAsStringAsync());
            upstream.Handler = _ => throw new InvalidOperationException("upstream blew up");
            responses.Add(await (await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"))).Content.ReadAsStringAsync());
            upstream.Handler = null;
        }
        using (var wrongProject = app.CreateClient($"{keys.ProjectKey}:{keys.UserKey[..^1]}X"))
        {
            responses.Add(await (await wrongProject.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"))).Content.ReadAsStringAsync());
        }
        using (var admin = app.CreateAdminClient())
        {
            responses.Add(await admin.GetStringAsync($"/api/v1/projects/{keys.ProjectId}/keys"));
            responses.Add(await admin.GetStringAsync($"/api/v1/projects/{keys.ProjectId}/requests"));
        }
        using (var badAdmin = app.CreateClient(KeypodApp.MasterKey + "x"))
        {
            responses.Add(await (await badAdmin.GetAsync("/api/v1/projects")).Content.ReadAsStringAsync());
        }

        logs.Messages.Should().NotBeEmpty();
        var secrets = new[] { KeypodApp.UpstreamKey, KeypodApp.MasterKey, keys.ProjectKey, keys.UserKey, keys.UserKey[..^1] + "X" };
        foreach (var secret in secrets)
        {
            logs.All.Should().NotContain(secret);
            responses.Should().NotContain(r => r.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Dashboard_pages_carry_security_headers_and_the_api_does_not_need_them()
    {
        await using var upstream = await FakeOpenRouter.StartAsync();
        await using var app = new KeypodApp(upstream);
        using var client = app.CreateClient();

        using var page = await client.GetAsync("/");

        page.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        page.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("frame-ancestors 'none'");
        page.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        page.Headers.Contains("Server").Should().BeFalse();
    }

    [Fact]
    public async Task The_database_files_are_owner_only()
    {
        await using var upstream = await FakeOpenRouter.StartAsync();
        await using var app = new KeypodApp(upstream);
        var keys = await app.CreateKeysAsync();
        using (var client = app.CreateClient(keys.Bearer))
        {
            await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
        }

        foreach (var path in new[] { app.DatabasePath, app.DatabasePath + "-wal", app.DatabasePath + "-shm" }.Where(File.Exists))
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, path);
        }
        File.Exists(app.DatabasePath + "-wal").Should().BeTrue("the database runs in WAL mode");
    }

    [Fact]
    public async Task An_online_backup_restores_with_the_whole_ledger()
    {
        await using var upstream = await FakeOpenRouter.StartAsync();
        var backupPath = Path.Combine(Path.GetTempPath(), $"keypod-backup-{Guid.NewGuid():N}.db");
        await using var app = new KeypodApp(upstream);
        var keys = await app.CreateKeysAsync();
        using (var client = app.CreateClient(keys.Bearer))
        {
            for (var i = 0; i < 5; i++)
            {
                await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));
            }
        }
        var original = await app.LedgerAsync(keys.ProjectId);

        await DatabaseBackup.BackupAsync($"Data Source={app.DatabasePath}", backupPath);

        File.GetUnixFileMode(backupPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var restored = new KeypodApp(upstream, databasePath: backupPath);
        using var admin = restored.CreateAdminClient();
        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{keys.ProjectId}/requests?limit=100");
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("requestId").GetString())
            .Should().BeEquivalentTo(original.Select(r => r.RequestId));
        using var client2 = restored.CreateClient(keys.Bearer);
        (await client2.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"))).StatusCode.Should().Be(HttpStatusCode.OK,
            "the restored keys still authenticate");
    }
}
