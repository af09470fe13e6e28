using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keypod.Tests.Infrastructure;

public sealed record TestKeys(Guid ProjectId, Guid UserId, string ProjectKey, string UserKey, Guid ProjectKeyId, Guid UserKeyId)
{
    public string Bearer => $"{ProjectKey}:{UserKey}";
}

/// <summary>
/// Keypod on real Kestrel (loopback, random port) over a real SQLite file, in front of a <see cref="FakeOpenRouter"/>.
/// </summary>
public sealed class KeypodApp : WebApplicationFactory<Program>
{
    public const string MasterKey = "test-master-key-0123456789abcdef";
    public const string UpstreamKey = "sk-or-test-upstream-key-never-shown";

    readonly string databasePath = Path.Combine(Path.GetTempPath(), $"keypod-test-{Guid.NewGuid():N}.db");
    readonly Dictionary<string, string?> settings;
    readonly CapturedLog log = new();

    readonly Action<IServiceCollection>? configureServices;

    public KeypodApp(FakeOpenRouter upstream, IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null,
        string? databasePath = null)
    {
        Upstream = upstream;
        this.configureServices = configureServices;
        this.databasePath = databasePath ?? this.databasePath;
        settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Keypod"] = $"Data Source={this.databasePath}",
            ["Keypod:Admin:MasterKey"] = MasterKey,
            ["Keypod:OpenRouter:BaseUrl"] = upstream.BaseUrl,
            ["Keypod:OpenRouter:ApiKey"] = UpstreamKey,
            ["Keypod:Pricing:RefreshInterval"] = "01:00:00",
            ["Keypod:Pricing:GenerationLookupWindow"] = "00:00:04",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        UseKestrel(0);
        StartServer();
    }

    public FakeOpenRouter Upstream { get; }

    public string DatabasePath => databasePath;

    /// <summary>What Keypod logged (at the configured level, Warning by default).</summary>
    public CapturedLog Log => log;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        if (configureServices is not null)
        {
            builder.ConfigureServices(configureServices);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(log));
    }

    /// <summary>A client with the master key for the management API.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        return client;
    }

    public HttpClient CreateClient(string bearer)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    public Uri BaseAddress => ClientOptions.BaseAddress;

    /// <summary>Creates a project, a user and a key for each through the management API, as an operator would.</summary>
    public async Task<TestKeys> CreateKeysAsync(string projectName = "Test project", decimal? markupPercent = null)
    {
        using var admin = CreateAdminClient();
        var project = await PostAsync(admin, "/api/v1/projects", new { name = projectName, markupPercent });
        var projectId = project.GetProperty("id").GetGuid();
        var projectKey = await PostAsync(admin, $"/api/v1/projects/{projectId}/keys", new { name = "ci" });
        var user = await PostAsync(admin, $"/api/v1/projects/{projectId}/users", new { name = "Ada", email = "ada@example.com" });
        var userId = user.GetProperty("id").GetGuid();
        var userKey = await PostAsync(admin, $"/api/v1/projects/{projectId}/users/{userId}/keys", new { name = "laptop" });
        return new TestKeys(projectId, userId, projectKey.GetProperty("key").GetString()!, userKey.GetProperty("key").GetString()!,
            projectKey.GetProperty("id").GetGuid(), userKey.GetProperty("id").GetGuid());
    }

    static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The project's ledger rows, after the writer has committed everything queued so far.</summary>
    public async Task<List<UsageRecord>> LedgerAsync(Guid projectId)
    {
        await Services.GetRequiredService<UsageLedger>().FlushAsync();
        await using var db = await Services.GetRequiredService<IDbContextFactory<KeypodDbContext>>().CreateDbContextAsync();
        return await db.UsageRecords.AsNoTracking().Where(r => r.ProjectId == projectId).OrderBy(r => r.Id).ToListAsync();
    }

    /// <summary>Waits until a condition on the project's ledger holds (rows are written just before a response ends).</summary>
    public async Task<List<UsageRecord>> WaitForLedgerAsync(Guid projectId, Func<List<UsageRecord>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var rows = await LedgerAsync(projectId);
            if (condition(rows) || DateTime.UtcNow > deadline)
            {
                return rows;
            }
            await Task.Delay(50);
        }
    }

    public async Task<KeypodDbContext> CreateDbContextAsync() =>
        await Services.GetRequiredService<IDbContextFactory<KeypodDbContext>>().CreateDbContextAsync();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(databasePath + ".journal"))
        {
            Directory.Delete(databasePath + ".journal", recursive: true);
        }
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try
            {
                File.Delete(databasePath + suffix);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>One fake upstream and one Keypod shared by a test class.</summary>
public class GatewayFixture : IAsyncLifetime
{
    public FakeOpenRouter Upstream { get; private set; } = null!;
    public KeypodApp App { get; private set; } = null!;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        Upstream = await FakeOpenRouter.StartAsync();
        App = new KeypodApp(Upstream, Settings);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

/// <summary>Keypod with client cost rewriting off: pure passthrough.</summary>
public sealed class PassthroughGatewayFixture : GatewayFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Keypod:Billing:RewriteClientCost"] = "false",
    };
}
