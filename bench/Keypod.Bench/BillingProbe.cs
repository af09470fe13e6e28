using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Keypod.Bench;

/// <summary>
/// <c>billing --db path --keypod-dll path --port n --out report.md</c>: starts Keypod (Release) over a database made by
/// <c>seed-ledger</c>, then times the billing and request-log endpoints over HTTP with the master key for the busiest
/// and the median project: warm-up calls, then interleaved rounds, wall clock per call (request sent to body read).
/// </summary>
static class BillingProbe
{
    const double BudgetMs = 200;
    const double RequestLogBudgetMs = 1000;

    sealed record Probe(string Name, string Description, string Url, double Budget);

    sealed record Measured(string Target, Probe Probe, double ColdMs, List<double> Samples, long Bytes, int Items)
    {
        public double P50 => Results.Percentile(Samples, 50);
        public double P95 => Results.Percentile(Samples, 95);
        public double Max => Samples[^1];
        public bool Pass => Max <= Probe.Budget;
    }

    public static async Task<int> RunAsync(Arguments args)
    {
        var db = Path.GetFullPath(args.Get("db"));
        var port = args.GetInt("port", 47290);
        var repetitions = args.GetInt("n", 20);
        var warmup = args.GetInt("warmup", 3);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(db + ".manifest.json"));
        var master = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

        var startInfo = new ProcessStartInfo("dotnet", Path.GetFullPath(args.Get("keypod-dll")))
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(args.Get("keypod-dll")))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["ConnectionStrings__Keypod"] = $"Data Source={db}";
        startInfo.Environment["Keypod__Admin__MasterKey"] = master;
        startInfo.Environment["Keypod__OpenRouter__BaseUrl"] = "http://127.0.0.1:1/api/v1"; // nothing leaves the machine
        foreach (var setting in args.Get("keypod-env", "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = setting.Split('=', 2);
            startInfo.Environment[parts[0]] = parts[1];
        }
        var log = args.Get("keypod-log", Path.Combine(Path.GetDirectoryName(db)!, "keypod.log"));
        await using var logWriter = new StreamWriter(log) { AutoFlush = true };
        using var keypod = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start Keypod");
        keypod.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (logWriter) { logWriter.WriteLine(e.Data); } } };
        keypod.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (logWriter) { logWriter.WriteLine(e.Data); } } };
        keypod.BeginOutputReadLine();
        keypod.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", master);
            var started = Stopwatch.StartNew();
            while (true)
            {
                if (keypod.HasExited)
                {
                    throw new InvalidOperationException($"Keypod exited with {keypod.ExitCode}; see {log}");
                }
                try
                {
                    using var health = await client.GetAsync("/healthz");
                    if (health.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }
                if (started.Elapsed > TimeSpan.FromMinutes(10))
                {
                    throw new TimeoutException("Keypod did not become healthy");
                }
                await Task.Delay(100);
            }
            var startupSeconds = started.Elapsed.TotalSeconds;
            Console.WriteLine($"Keypod healthy after {startupSeconds:0.0} s");

            var root = manifest.RootElement;
            var today = DateOnly.Parse(root.GetProperty("today").GetString()!, CultureInfo.InvariantCulture);
            var firstDay = DateOnly.Parse(root.GetProperty("firstDay").GetString()!, CultureInfo.InvariantCulture);
            var thisMonth = new DateOnly(today.Year, today.Month, 1);
            var lastMonth = thisMonth.AddMonths(-1);
            string Month(DateOnly d) => d.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

            var targets = root.GetProperty("targets").EnumerateArray().ToList();
            var plan = new List<(string Target, Probe Probe)>();
            foreach (var target in targets)
            {
                var role = target.GetProperty("role").GetString()!;
                var id = target.GetProperty("id").GetString();
                var baseUrl = $"/api/v1/projects/{id}";
                plan.AddRange(new Probe[]
                {
                    new("usage-user-month", $"per-user breakdown, this month ({Month(thisMonth)}, to date)", $"{baseUrl}/usage?groupBy=user", BudgetMs),
                    new("usage-user-last-month", $"per-user breakdown, last full month ({Month(lastMonth)})",
                        $"{baseUrl}/usage?groupBy=user&from={Day(lastMonth)}&to={Day(thisMonth)}", BudgetMs),
                    new("usage-model-month", "per-model breakdown, this month", $"{baseUrl}/usage?groupBy=model", BudgetMs),
                    new("usage-model-last-month", $"per-model breakdown, last full month",
                        $"{baseUrl}/usage?groupBy=model&from={Day(lastMonth)}&to={Day(thisMonth)}", BudgetMs),
                    new("usage-day-90d", $"per-day series, 90 days ({Day(firstDay)} to {Day(today)})",
                        $"{baseUrl}/usage?groupBy=day&from={Day(firstDay)}&to={Day(today.AddDays(1))}", BudgetMs),
                    new("statement-month", $"statement {Month(thisMonth)} (users + models)", $"{baseUrl}/statements/{Month(thisMonth)}", BudgetMs),
                    new("statement-last-month", $"statement {Month(lastMonth)} (users + models)", $"{baseUrl}/statements/{Month(lastMonth)}", BudgetMs),
                    new("requests-first-page", "request log, first page (limit=50, newest first)", $"{baseUrl}/requests?limit=50", RequestLogBudgetMs),
                    new("requests-busiest-user", "request log, first page for its busiest user",
                        $"{baseUrl}/requests?limit=50&userId={target.GetProperty("busiestUser").GetString()}", RequestLogBudgetMs),
                    new("requests-median-user", "request log, first page for its median user",
                        $"{baseUrl}/requests?limit=50&userId={target.GetProperty("medianUser").GetString()}", RequestLogBudgetMs),
                }.Select(p => (role, p)));
            }

            // Warm-up: the first call of each is kept as "first call" (JIT, EF query compilation, cold pages).
            var cold = new Dictionary<(string, string), double>();
            var sizes = new Dictionary<(string, string), (long Bytes, int Items, JsonDocument Body)>();
            foreach (var (target, probe) in plan)
            {
                for (var i = 0; i < warmup; i++)
                {
                    var (ms, bytes, body) = await TimeAsync(client, probe.Url);
                    if (i == 0)
                    {
                        cold[(target, probe.Name)] = ms;
                        sizes[(target, probe.Name)] = (bytes, CountItems(body), body);
                    }
                    else
                    {
                        body.Dispose();
                    }
                }
            }
            var samples = plan.ToDictionary(p => (p.Target, p.Probe.Name), _ => new List<double>());
            for (var round = 0; round < repetitions; round++)
            {
                foreach (var (target, probe) in plan)
                {
                    var (ms, _, body) = await TimeAsync(client, probe.Url);
                    body.Dispose();
                    samples[(target, probe.Name)].Add(ms);
                }
            }
            var measured = plan.Select(p =>
            {
                var list = samples[(p.Target, p.Probe.Name)];
                list.Sort();
                var (bytes, items, _) = sizes[(p.Target, p.Probe.Name)];
                return new Measured(p.Target, p.Probe, cold[(p.Target, p.Probe.Name)], list, bytes, items);
            }).ToList();

            // The answers must also be right: totals against what the seeder generated.
            var checks = new List<(string Check, bool Pass)>();
            foreach (var target in targets)
            {
                var role = target.GetProperty("role").GetString()!;
                var months = target.GetProperty("months");
                if (months.TryGetProperty(Month(lastMonth), out var expected))
                {
                    var totals = sizes[(role, "statement-last-month")].Body.RootElement.GetProperty("totals");
                    var requests = totals.GetProperty("requests").GetInt64();
                    var billed = totals.GetProperty("billedUsd").GetDecimal();
                    var expectedBilled = expected.GetProperty("billedUsd").GetDecimal();
                    checks.Add(($"{role}: statement {Month(lastMonth)} = seeded rows: {requests:N0} requests, ${billed} billed " +
                        $"(seeded {expected.GetProperty("requests").GetInt64():N0}, ${expectedBilled})",
                        requests == expected.GetProperty("requests").GetInt64() && billed == expectedBilled));
                }
                var series = sizes[(role, "usage-day-90d")].Body.RootElement.GetProperty("totals").GetProperty("requests").GetInt64();
                checks.Add(($"{role}: 90-day series counts every seeded row of the project ({series:N0} of {target.GetProperty("rows").GetInt64():N0})",
                    series == target.GetProperty("rows").GetInt64()));
                var page = sizes[(role, "requests-first-page")].Body.RootElement.GetProperty("items");
                checks.Add(($"{role}: request log first page has 50 rows, newest first",
                    page.GetArrayLength() == 50 && page[0].GetProperty("id").GetInt64() > page[49].GetProperty("id").GetInt64()));
            }
            foreach (var (_, _, body) in sizes.Values)
            {
                body.Dispose();
            }

            Console.WriteLine();
            Console.WriteLine($"{"target",-8} {"endpoint",-24} {"first",8} {"p50",8} {"p95",8} {"max",8}  items  budget");
            foreach (var m in measured)
            {
                Console.WriteLine($"{m.Target,-8} {m.Probe.Name,-24} {m.ColdMs,8:0.0} {m.P50,8:0.0} {m.P95,8:0.0} {m.Max,8:0.0} {m.Items,6}  {(m.Pass ? "ok" : "OVER")} {m.Probe.Budget} ms");
            }
            foreach (var (check, pass) in checks)
            {
                Console.WriteLine($"{(pass ? "ok  " : "FAIL")} {check}");
            }
            if (args.Get("out", "") is { Length: > 0 } output)
            {
                await File.WriteAllTextAsync(output, Markdown(args, root, measured, checks, startupSeconds, repetitions, warmup));
                Console.WriteLine($"written: {output}");
            }
            return measured.All(m => m.Pass) && checks.All(c => c.Pass) ? 0 : 1;
        }
        finally
        {
            if (!keypod.HasExited)
            {
                keypod.Kill(entireProcessTree: true);
                await keypod.WaitForExitAsync();
            }
        }
    }

    static async Task<(double Ms, long Bytes, JsonDocument Body)> TimeAsync(HttpClient client, string url)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var ms = clock.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        }
        return (ms, bytes.Length, JsonDocument.Parse(bytes));
    }

    static int CountItems(JsonDocument body)
    {
        var root = body.RootElement;
        if (root.TryGetProperty("items", out var items))
        {
            return items.GetArrayLength();
        }
        return root.TryGetProperty("users", out var users) ? users.GetArrayLength() + root.GetProperty("models").GetArrayLength() : 0;
    }

    static string Markdown(Arguments args, JsonElement seed, List<Measured> measured, List<(string Check, bool Pass)> checks,
        double startupSeconds, int repetitions, int warmup)
    {
        string F(double value, int decimals = 1) => double.IsNaN(value) ? "n/a" : value.ToString("N" + decimals, CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        md.AppendLine("# Keypod billing benchmarks");
        md.AppendLine();
        md.AppendLine("Generated by `bench/billing.sh` (issue \"Exact billing\", point 7; issue 5, point 2). A fresh SQLite database with the app's own");
        md.AppendLine("schema (its EF migrations) is seeded with synthetic ledger rows and the daily rollups the ledger writer would have kept for them;");
        md.AppendLine("Keypod (Release) is started over it and the billing and request-log endpoints are timed over HTTP on 127.0.0.1 with the master key.");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        md.AppendLine($"| date (UTC) | {args.Get("date", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} |");
        md.AppendLine("| command | `bench/billing.sh` |");
        md.AppendLine($"| commit | `{args.Get("commit", "n/a")}` |");
        md.AppendLine($"| machine | {args.Get("machine", "n/a")} |");
        md.AppendLine($"| load average at start / end | {args.Get("loadavg", "n/a")} / {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} |");
        md.AppendLine($"| software | .NET {Environment.Version}, SQLite via Microsoft.Data.Sqlite / EF Core (the app's own) |");
        md.AppendLine($"| seeded | {seed.GetProperty("rows").GetInt64():N0} ledger rows, {seed.GetProperty("rollupRows").GetInt64():N0} UsageRollups rows " +
            $"(+ {(seed.TryGetProperty("userDayRows", out var ud) ? ud.GetInt64() : 0):N0} UsageUserDays, {(seed.TryGetProperty("modelDayRows", out var mdr) ? mdr.GetInt64() : 0):N0} UsageModelDays, " +
            $"{(seed.TryGetProperty("projectDayRows", out var pd) ? pd.GetInt64() : 0):N0} UsageProjectDays, {(seed.TryGetProperty("userMonthRows", out var um) ? um.GetInt64() : 0):N0} UsageUserMonths, " +
            $"{(seed.TryGetProperty("modelMonthRows", out var mm) ? mm.GetInt64() : 0):N0} UsageModelMonths); " +
            $"{seed.GetProperty("projects").GetInt32()} projects, {seed.GetProperty("users").GetInt32():N0} users, {seed.GetProperty("models").GetInt32()} models, " +
            $"{seed.GetProperty("days").GetInt32()} days ({seed.GetProperty("firstDay").GetString()} to {seed.GetProperty("today").GetString()}) |");
        md.AppendLine($"| seed time | {F(seed.GetProperty("totalSeconds").GetDouble(), 0)} s (rows and rollups {F(seed.GetProperty("loadSeconds").GetDouble(), 0)} s, " +
            $"then the migration's indexes and ANALYZE) |");
        md.AppendLine($"| database | {F(seed.GetProperty("databaseBytes").GetInt64() / 1_073_741_824.0, 2)} GB |");
        md.AppendLine($"| Keypod start-up over it | {F(startupSeconds, 1)} s to a healthy `/healthz` |");
        md.AppendLine();
        md.AppendLine("Distribution: project traffic Zipf (s = 1) over 50 projects; 2,000 users spread ∝ traffic^0.7 (at least 4 a project), user activity");
        md.AppendLine("Zipf (s = 0.9) within a project; 300 model slugs with Zipf popularity (s = 1.1), each user mostly on 2–8 favourites and 15% elsewhere;");
        md.AppendLine("weekends at 45% of weekdays, a diurnal curve, 30% growth over the period, today only up to the seeding time. About 1.2% upstream");
        md.AppendLine("errors, 0.8% client aborts; 0.5% `pending` and 1.5% `unpriced`, plus everything of the last 10 minutes pending. Costs are");
        md.AppendLine("token × price rounded to 8 decimals; billed = `Markup.Bill` (project markups 0–20%); rollups are the exact decimal sums.");
        md.AppendLine();
        foreach (var target in seed.GetProperty("targets").EnumerateArray())
        {
            var role = target.GetProperty("role").GetString()!;
            md.AppendLine($"## {char.ToUpperInvariant(role[0])}{role[1..]} project: {target.GetProperty("name").GetString()}");
            md.AppendLine();
            md.AppendLine($"{target.GetProperty("rows").GetInt64():N0} ledger rows, {target.GetProperty("users").GetInt32()} users " +
                $"(busiest user {target.GetProperty("busiestUserRows").GetInt64():N0} rows, median user {target.GetProperty("medianUserRows").GetInt64():N0}). " +
                $"Milliseconds per HTTP call; {warmup} warm-up calls each (the first one shown), then {repetitions} interleaved rounds.");
            md.AppendLine();
            md.AppendLine("| endpoint | call | items | first ms | p50 ms | p95 ms | max ms | budget |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
            foreach (var m in measured.Where(m => m.Target == role))
            {
                var query = m.Probe.Url[(m.Probe.Url.IndexOf('/', "/api/v1/projects/".Length) + 1)..];
                md.AppendLine($"| {m.Probe.Description} | `{query}` | {m.Items} | {F(m.ColdMs)} | {F(m.P50)} | {F(m.P95)} | {F(m.Max)} | " +
                    $"{(m.Pass ? "✅" : "❌")} ≤ {m.Probe.Budget:0} ms |");
            }
            md.AppendLine();
        }
        md.AppendLine("## Checks");
        md.AppendLine();
        foreach (var m in measured.GroupBy(m => m.Probe.Budget))
        {
            var worst = m.MaxBy(x => x.Max)!;
            md.AppendLine($"- {(m.All(x => x.Pass) ? "✅" : "❌")} every call ≤ {m.Key:0} ms ({m.Count()} endpoints × 2 projects): worst max {F(worst.Max)} ms " +
                $"({worst.Target} {worst.Probe.Name})");
        }
        foreach (var (check, pass) in checks)
        {
            md.AppendLine($"- {(pass ? "✅" : "❌")} {check}");
        }
        if (args.Get("notes", "") is { Length: > 0 } notes && File.Exists(notes))
        {
            md.AppendLine();
            md.Append(File.ReadAllText(notes));
        }
        return md.ToString();
    }
}
