using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Keypod.Bench;

/// <summary>Keypod's management API: a project with a user and keys per benchmark phase, and the ledger count afterwards.</summary>
static class Management
{
    /// <summary>Prints <c>projectId projectKey:userKey</c>.</summary>
    public static async Task<int> SetupAsync(Arguments args)
    {
        using var client = NewClient(args);
        var name = args.Get("name");
        var project = await PostAsync(client, "/api/v1/projects", new { name = "bench-" + name });
        var projectId = project.GetProperty("id").GetString()!;
        var projectKey = await PostAsync(client, $"/api/v1/projects/{projectId}/keys", new { name = "bench" });
        var user = await PostAsync(client, $"/api/v1/projects/{projectId}/users", new { name = "bench-user" });
        var userId = user.GetProperty("id").GetString()!;
        var userKey = await PostAsync(client, $"/api/v1/projects/{projectId}/users/{userId}/keys", new { name = "bench" });
        Console.WriteLine($"{projectId} {projectKey.GetProperty("key").GetString()}:{userKey.GetProperty("key").GetString()}");
        return 0;
    }

    /// <summary>Pages through the project's ledger rows and records how many there are, and how many completed.</summary>
    public static async Task<int> CountLedgerAsync(Arguments args)
    {
        using var client = NewClient(args);
        var projectId = args.Get("project");
        var label = args.Get("label");
        var rows = 0;
        var completed = 0;
        string? cursor = null;
        do
        {
            var url = $"/api/v1/projects/{projectId}/requests?limit=10000" + (cursor is null ? "" : "&cursor=" + cursor);
            using var page = JsonDocument.Parse(await client.GetStringAsync(url));
            foreach (var row in page.RootElement.GetProperty("items").EnumerateArray())
            {
                rows++;
                if (row.GetProperty("outcome").GetString() == "completed")
                {
                    completed++;
                }
            }
            cursor = page.RootElement.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Results.Append(args, ($"ledger_{label}_rows", rows), ($"ledger_{label}_completed", completed));
        return 0;
    }

    static HttpClient NewClient(Arguments args)
    {
        var client = new HttpClient { BaseAddress = new Uri(args.Get("keypod")), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", args.Get("master"));
        return client;
    }

    static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
