using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Keypod.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Tests.Infrastructure;

/// <summary>The real Keypod executable in its own process, for what only a process can show: kill -9, SIGTERM, restarts.</summary>
public sealed class KeypodProcess : IAsyncDisposable
{
    readonly Dictionary<string, string> environment;
    Process? process;

    public KeypodProcess(string databasePath, string upstreamBaseUrl, IDictionary<string, string>? settings = null)
    {
        DatabasePath = databasePath;
        Port = FreePort();
        environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Keypod"] = $"Data Source={databasePath}",
            ["Keypod__Admin__MasterKey"] = KeypodApp.MasterKey,
            ["Keypod__OpenRouter__BaseUrl"] = upstreamBaseUrl,
            ["Keypod__OpenRouter__ApiKey"] = KeypodApp.UpstreamKey,
            ["Logging__LogLevel__Default"] = "Warning",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
    }

    public string DatabasePath { get; }
    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public System.Text.StringBuilder Output { get; } = new();

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Keypod.Web.exe" : "Keypod.Web"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (Output) { Output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (Output) { Output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("Keypod exited at start-up:\n" + Output);
            }
            try
            {
                if ((await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("Keypod did not become healthy:\n" + Output);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        process!.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>SIGTERM: a graceful stop; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var cancellation = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancellation.Token);
        return process.ExitCode;
    }

    public HttpClient CreateClient(string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    /// <summary>A project, a user and a key for each through the management API; returns the combined bearer.</summary>
    public async Task<string> CreateBearerAsync(string projectName = "P")
    {
        using var admin = CreateClient(KeypodApp.MasterKey);
        var project = await (await admin.PostAsJsonAsync("/api/v1/projects", new { name = projectName })).Content.ReadFromJsonAsync<JsonElement>();
        var projectId = project.GetProperty("id").GetGuid();
        var projectKey = await (await admin.PostAsJsonAsync($"/api/v1/projects/{projectId}/keys", new { })).Content.ReadFromJsonAsync<JsonElement>();
        var user = await (await admin.PostAsJsonAsync($"/api/v1/projects/{projectId}/users", new { name = "U" })).Content.ReadFromJsonAsync<JsonElement>();
        var userKey = await (await admin.PostAsJsonAsync($"/api/v1/projects/{projectId}/users/{user.GetProperty("id").GetGuid()}/keys", new { }))
            .Content.ReadFromJsonAsync<JsonElement>();
        return $"{projectKey.GetProperty("key").GetString()}:{userKey.GetProperty("key").GetString()}";
    }

    public KeypodDbContext OpenDatabase() =>
        new(new DbContextOptionsBuilder<KeypodDbContext>().UseSqlite($"Data Source={DatabasePath}").Options);

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process?.Dispose();
    }
}
