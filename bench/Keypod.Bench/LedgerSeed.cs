using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Keypod.Core.Billing;
using Keypod.Core.Data;
using Keypod.Core.Keys;
using Keypod.Core.Ledger;
using Keypod.Core.Projects;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Bench;

/// <summary>
/// <c>seed-ledger --db path --rows 10000000</c>: a fresh database with the app's real schema (EF migrations), 50 projects,
/// 2,000 users, their keys, N synthetic ledger rows over the 90 UTC days ending today and the daily rollups the ledger
/// writer would have produced for them (UsageRollups, UsageUserDays, UsageModelDays, UsageProjectDays, UsageUserMonths, UsageModelMonths;
/// exact decimal sums). Writes <c>path.manifest.json</c> for the billing probe.
/// </summary>
static class LedgerSeed
{
    const int Days = 90;
    const string MoneyFormat = "0.0###########################";
    const string TimeFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    static readonly string[] RecordColumns =
        ("RequestId, CreatedAt, ProjectId, UserId, ProjectKeyId, UserKeyId, Endpoint, Model, ServedModel, Provider, GenerationId, Stream, " +
        "Status, Outcome, ErrorMessage, PromptTokens, CompletionTokens, CachedTokens, CacheWriteTokens, ReasoningTokens, WebSearches, IsByok, " +
        "UpstreamCostUsd, MarkupPercent, BilledUsd, CostSource, LatencyMs, TimeToFirstTokenMs").Split(", ");

    static readonly string[] RollupColumns =
        "ProjectId, Day, UserId, Model, Requests, PromptTokens, CompletionTokens, CachedTokens, ReasoningTokens, UnpricedRequests, UpstreamCostUsd, BilledUsd"
            .Split(", ");

    public static async Task<int> RunAsync(Arguments args)
    {
        var path = Path.GetFullPath(args.Get("db"));
        var totalRows = long.Parse(args.Get("rows", "10000000"), CultureInfo.InvariantCulture);
        var projectCount = args.GetInt("projects", 50);
        var userCount = args.GetInt("users", 2000);
        var modelCount = args.GetInt("models", 300);
        var random = new Random(args.GetInt("seed", 20261204));
        var clock = Stopwatch.StartNew();
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + ".manifest.json" })
        {
            File.Delete(file);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // 1. The app's schema, by its own migrations.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        var options = new DbContextOptionsBuilder<KeypodDbContext>().UseSqlite(connectionString).Options;
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now);
        var firstDay = today.AddDays(-(Days - 1));
        var world = World.Create(random, projectCount, userCount, modelCount, firstDay);
        await using (var db = new KeypodDbContext(options))
        {
            await db.Database.MigrateAsync();
            db.Projects.AddRange(world.Projects.Select(p => p.Entity));
            db.Users.AddRange(world.Users.Select(u => u.Entity));
            db.ProjectKeys.AddRange(world.Projects.SelectMany(p => p.Keys));
            db.UserKeys.AddRange(world.Users.SelectMany(u => u.Keys));
            await db.SaveChangesAsync();
        }
        Console.WriteLine($"schema migrated; {world.Projects.Length} projects, {world.Users.Length} users, " +
            $"{world.Projects.Sum(p => p.Keys.Count)} project keys, {world.Users.Sum(u => u.Keys.Count)} user keys ({clock.Elapsed.TotalSeconds:0.0} s)");

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        Exec(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-524288; PRAGMA temp_store=FILE;");

        // 2. Ledger rows without their secondary indexes (re-created below from the migration's own SQL: a sort beats
        //    10 M random B-tree inserts), in time order so ids ascend with CreatedAt as in production.
        var indexSql = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'UsageRecords' AND sql IS NOT NULL";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                indexSql.Add(reader.GetString(1));
                Console.WriteLine("  index (dropped for the load, re-created after): " + reader.GetString(0));
            }
        }
        foreach (var sql in indexSql)
        {
            Exec(connection, "DROP INDEX " + sql.Split(' ')[sql.StartsWith("CREATE UNIQUE", StringComparison.Ordinal) ? 3 : 2]);
        }

        using var insertRecord = Prepare(connection,
            $"INSERT INTO UsageRecords ({string.Join(", ", RecordColumns)}) VALUES ({string.Join(", ", RecordColumns.Select(c => "$" + c))})", RecordColumns);
        using var insertRollup = Prepare(connection,
            $"INSERT INTO UsageRollups ({string.Join(", ", RollupColumns)}) VALUES ({string.Join(", ", RollupColumns.Select(c => "$" + c))})", RollupColumns);

        var measureColumns = RollupColumns[4..];
        using var insertUserDay = Prepare(connection,
            $"INSERT INTO UsageUserDays (ProjectId, Day, UserId, {string.Join(", ", measureColumns)}) VALUES ($ProjectId, $Day, $UserId, {string.Join(", ", measureColumns.Select(c => "$" + c))})",
            ["ProjectId", "Day", "UserId", .. measureColumns]);
        using var insertModelDay = Prepare(connection,
            $"INSERT INTO UsageModelDays (ProjectId, Day, Model, {string.Join(", ", measureColumns)}) VALUES ($ProjectId, $Day, $Model, {string.Join(", ", measureColumns.Select(c => "$" + c))})",
            ["ProjectId", "Day", "Model", .. measureColumns]);
        using var insertProjectDay = Prepare(connection,
            $"INSERT INTO UsageProjectDays (ProjectId, Day, {string.Join(", ", measureColumns)}) VALUES ($ProjectId, $Day, {string.Join(", ", measureColumns.Select(c => "$" + c))})",
            ["ProjectId", "Day", .. measureColumns]);
        using var insertUserMonth = Prepare(connection,
            $"INSERT INTO UsageUserMonths (ProjectId, Month, UserId, {string.Join(", ", measureColumns)}) VALUES ($ProjectId, $Month, $UserId, {string.Join(", ", measureColumns.Select(c => "$" + c))})",
            ["ProjectId", "Month", "UserId", .. measureColumns]);
        using var insertModelMonth = Prepare(connection,
            $"INSERT INTO UsageModelMonths (ProjectId, Month, Model, {string.Join(", ", measureColumns)}) VALUES ($ProjectId, $Month, $Model, {string.Join(", ", measureColumns.Select(c => "$" + c))})",
            ["ProjectId", "Month", "Model", .. measureColumns]);
        var perDay = world.RowsPerDay(totalRows, now);
        var manifest = new Manifest(world, today);
        long written = 0;
        long rollupRows = 0;
        long userDayRows = 0;
        long modelDayRows = 0;
        long projectDayRows = 0;
        long userMonthRows = 0;
        long modelMonthRows = 0;
        var rows = new List<Row>();
        var rollups = new Dictionary<(int User, int Model), Totals>();
        var userDays = new Dictionary<int, Totals>();
        var modelDays = new Dictionary<(int Project, int Model), Totals>();
        var projectDays = new Dictionary<int, Totals>();
        // The month rollups span days: written with the month's last seeded day.
        var userMonths = new Dictionary<int, Totals>();
        var modelMonths = new Dictionary<(int Project, int Model), Totals>();
        for (var d = 0; d < Days; d++)
        {
            var day = firstDay.AddDays(d);
            rows.Clear();
            rollups.Clear();
            userDays.Clear();
            modelDays.Clear();
            projectDays.Clear();
            world.GenerateDay(random, day, perDay[d], now, rows);
            rows.Sort((a, b) => a.Ticks.CompareTo(b.Ticks));
            using (var transaction = connection.BeginTransaction())
            {
                insertRecord.Transaction = transaction;
                foreach (var row in rows)
                {
                    Bind(insertRecord, world, row);
                    insertRecord.ExecuteNonQuery();
                    if (!rollups.TryGetValue((row.User, row.Model), out var totals))
                    {
                        rollups[(row.User, row.Model)] = totals = new Totals();
                    }
                    totals.Add(row);
                    if (!userDays.TryGetValue(row.User, out totals))
                    {
                        userDays[row.User] = totals = new Totals();
                    }
                    totals.Add(row);
                    var modelKey = (world.Users[row.User].Project, row.Model);
                    if (!modelDays.TryGetValue(modelKey, out totals))
                    {
                        modelDays[modelKey] = totals = new Totals();
                    }
                    totals.Add(row);
                    if (!projectDays.TryGetValue(modelKey.Project, out totals))
                    {
                        projectDays[modelKey.Project] = totals = new Totals();
                    }
                    totals.Add(row);
                    if (!userMonths.TryGetValue(row.User, out totals))
                    {
                        userMonths[row.User] = totals = new Totals();
                    }
                    totals.Add(row);
                    if (!modelMonths.TryGetValue(modelKey, out totals))
                    {
                        modelMonths[modelKey] = totals = new Totals();
                    }
                    totals.Add(row);
                    manifest.Add(world, day, row);
                }
                insertRollup.Transaction = transaction;
                var dayText = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                foreach (var ((user, model), totals) in rollups
                    .OrderBy(r => world.Projects[world.Users[r.Key.User].Project].IdText, StringComparer.Ordinal)
                    .ThenBy(r => world.Users[r.Key.User].IdText, StringComparer.Ordinal)
                    .ThenBy(r => world.Models[r.Key.Model].Slug, StringComparer.Ordinal))
                {
                    var u = world.Users[user];
                    var p = insertRollup.Parameters;
                    p[0].Value = world.Projects[u.Project].IdText;
                    p[1].Value = dayText;
                    p[2].Value = u.IdText;
                    p[3].Value = world.Models[model].Slug;
                    totals.Bind(p, 4);
                    insertRollup.ExecuteNonQuery();
                }
                insertUserDay.Transaction = transaction;
                foreach (var (user, totals) in userDays)
                {
                    var p = insertUserDay.Parameters;
                    p[0].Value = world.Projects[world.Users[user].Project].IdText;
                    p[1].Value = dayText;
                    p[2].Value = world.Users[user].IdText;
                    totals.Bind(p, 3);
                    insertUserDay.ExecuteNonQuery();
                }
                insertModelDay.Transaction = transaction;
                foreach (var ((project, model), totals) in modelDays)
                {
                    var p = insertModelDay.Parameters;
                    p[0].Value = world.Projects[project].IdText;
                    p[1].Value = dayText;
                    p[2].Value = world.Models[model].Slug;
                    totals.Bind(p, 3);
                    insertModelDay.ExecuteNonQuery();
                }
                insertProjectDay.Transaction = transaction;
                foreach (var (project, totals) in projectDays)
                {
                    var p = insertProjectDay.Parameters;
                    p[0].Value = world.Projects[project].IdText;
                    p[1].Value = dayText;
                    totals.Bind(p, 2);
                    insertProjectDay.ExecuteNonQuery();
                }
                if (d == Days - 1 || day.AddDays(1).Day == 1)
                {
                    var monthText = new DateOnly(day.Year, day.Month, 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    insertUserMonth.Transaction = transaction;
                    foreach (var (user, totals) in userMonths)
                    {
                        var p = insertUserMonth.Parameters;
                        p[0].Value = world.Projects[world.Users[user].Project].IdText;
                        p[1].Value = monthText;
                        p[2].Value = world.Users[user].IdText;
                        totals.Bind(p, 3);
                        insertUserMonth.ExecuteNonQuery();
                    }
                    insertModelMonth.Transaction = transaction;
                    foreach (var ((project, model), totals) in modelMonths)
                    {
                        var p = insertModelMonth.Parameters;
                        p[0].Value = world.Projects[project].IdText;
                        p[1].Value = monthText;
                        p[2].Value = world.Models[model].Slug;
                        totals.Bind(p, 3);
                        insertModelMonth.ExecuteNonQuery();
                    }
                    userMonthRows += userMonths.Count;
                    modelMonthRows += modelMonths.Count;
                    userMonths.Clear();
                    modelMonths.Clear();
                }
                transaction.Commit();
            }
            written += rows.Count;
            rollupRows += rollups.Count;
            userDayRows += userDays.Count;
            modelDayRows += modelDays.Count;
            projectDayRows += projectDays.Count;
            if (d % 10 == 9 || d == Days - 1)
            {
                Console.WriteLine($"  {day:yyyy-MM-dd}: {written:N0} rows, {rollupRows:N0} rollups ({clock.Elapsed.TotalSeconds:0} s, " +
                    $"{written / clock.Elapsed.TotalSeconds:N0} rows/s, working set {Environment.WorkingSet / 1_048_576} MB)");
            }
        }
        var loaded = clock.Elapsed;

        foreach (var sql in indexSql)
        {
            var started = clock.Elapsed;
            Exec(connection, sql);
            Console.WriteLine($"  {sql} ({(clock.Elapsed - started).TotalSeconds:0} s)");
        }
        Exec(connection, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);");
        await connection.CloseAsync();

        manifest.Rows = written;
        manifest.RollupRows = rollupRows;
        manifest.UserDayRows = userDayRows;
        manifest.ModelDayRows = modelDayRows;
        manifest.ProjectDayRows = projectDayRows;
        manifest.UserMonthRows = userMonthRows;
        manifest.ModelMonthRows = modelMonthRows;
        manifest.LoadSeconds = loaded.TotalSeconds;
        manifest.TotalSeconds = clock.Elapsed.TotalSeconds;
        manifest.DatabaseBytes = new FileInfo(path).Length;
        await File.WriteAllTextAsync(path + ".manifest.json", JsonSerializer.Serialize(manifest.ToJson(world), new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"seeded {written:N0} ledger rows and {rollupRows:N0} rollups ({userDayRows:N0} per user and day, {modelDayRows:N0} per model and day, {projectDayRows:N0} per project and day, " +
            $"{userMonthRows:N0} per user and month, {modelMonthRows:N0} per model and month) in {clock.Elapsed.TotalSeconds:0} s " +
            $"(rows {loaded.TotalSeconds:0} s, indexes and ANALYZE {(clock.Elapsed - loaded).TotalSeconds:0} s); {manifest.DatabaseBytes / 1_048_576:N0} MB");
        return 0;
    }

    static void Bind(SqliteCommand command, World world, Row row)
    {
        var user = world.Users[row.User];
        var project = world.Projects[user.Project];
        var model = world.Models[row.Model];
        var createdAt = new DateTime(row.Ticks, DateTimeKind.Utc);
        var p = command.Parameters;
        p[0].Value = "req_" + Guid.CreateVersion7(new DateTimeOffset(createdAt)).ToString("N");
        p[1].Value = createdAt.ToString(TimeFormat, CultureInfo.InvariantCulture);
        p[2].Value = project.IdText;
        p[3].Value = user.IdText;
        p[4].Value = project.KeyIdText[row.ProjectKey % project.KeyIdText.Length];
        p[5].Value = user.KeyIdText[row.UserKey % user.KeyIdText.Length];
        p[6].Value = row.Endpoint;
        p[7].Value = model.Slug;
        p[8].Value = row.Outcome == Outcome.Completed || row.Outcome == Outcome.ClientAborted ? model.Slug : DBNull.Value;
        p[9].Value = row.Outcome == Outcome.Completed || row.Outcome == Outcome.ClientAborted ? model.Provider : DBNull.Value;
        p[10].Value = row.GenerationSuffix == 0 ? DBNull.Value
            : "gen-" + (row.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond + "-" + row.GenerationSuffix.ToString("x16", CultureInfo.InvariantCulture);
        p[11].Value = row.Stream;
        p[12].Value = row.Status;
        p[13].Value = row.Outcome.ToString();
        p[14].Value = row.Outcome switch
        {
            Outcome.Completed => DBNull.Value,
            Outcome.ClientAborted => "Client disconnected before the upstream answered.",
            Outcome.UpstreamError => $"Upstream answered {row.Status}.",
            _ => "Upstream did not answer in time.",
        };
        p[15].Value = row.PromptTokens;
        p[16].Value = row.CompletionTokens;
        p[17].Value = row.CachedTokens;
        p[18].Value = 0;
        p[19].Value = row.ReasoningTokens;
        p[20].Value = 0;
        p[21].Value = false;
        p[22].Value = row.Upstream is { } upstream ? upstream.ToString(MoneyFormat, CultureInfo.InvariantCulture) : DBNull.Value;
        p[23].Value = project.Markup.ToString(MoneyFormat, CultureInfo.InvariantCulture);
        p[24].Value = row.Billed is { } billed ? billed.ToString(MoneyFormat, CultureInfo.InvariantCulture) : DBNull.Value;
        p[25].Value = row.CostSource.ToString();
        p[26].Value = row.LatencyMs;
        p[27].Value = row.Stream ? row.LatencyMs / 4 : DBNull.Value;
    }

    static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }

    static SqliteCommand Prepare(SqliteConnection connection, string sql, string[] columns)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var column in columns)
        {
            command.Parameters.Add(new SqliteParameter("$" + column, null));
        }
        return command;
    }

    /// <summary>One generated ledger row, before formatting.</summary>
    internal struct Row
    {
        public long Ticks;
        public int User;
        public int Model;
        public byte ProjectKey;
        public byte UserKey;
        public string Endpoint;
        public bool Stream;
        public int Status;
        public Outcome Outcome;
        public CostSource CostSource;
        public int PromptTokens;
        public int CompletionTokens;
        public int CachedTokens;
        public int ReasoningTokens;
        public int LatencyMs;
        public ulong GenerationSuffix;
        public decimal? Upstream;
        public decimal? Billed;
    }

    /// <summary>Exactly what <c>UsageLedger.AddToRollup</c> (<c>RollupTotals.Add</c>) adds for a row, to each of its three rollups.</summary>
    internal sealed class Totals
    {
        public long Requests, PromptTokens, CompletionTokens, CachedTokens, ReasoningTokens, Unpriced;
        public decimal Upstream, Billed;

        public void Add(in Row row)
        {
            Requests++;
            PromptTokens += row.PromptTokens;
            CompletionTokens += row.CompletionTokens;
            CachedTokens += row.CachedTokens;
            ReasoningTokens += row.ReasoningTokens;
            Upstream += row.Upstream ?? 0m;
            Billed += row.Billed ?? 0m;
            if (row.CostSource is CostSource.Pending or CostSource.Unpriced)
            {
                Unpriced++;
            }
        }

        public void Bind(SqliteParameterCollection p, int at)
        {
            p[at].Value = Requests;
            p[at + 1].Value = PromptTokens;
            p[at + 2].Value = CompletionTokens;
            p[at + 3].Value = CachedTokens;
            p[at + 4].Value = ReasoningTokens;
            p[at + 5].Value = Unpriced;
            p[at + 6].Value = Upstream.ToString(MoneyFormat, CultureInfo.InvariantCulture);
            p[at + 7].Value = Billed.ToString(MoneyFormat, CultureInfo.InvariantCulture);
        }
    }

    internal sealed record SeedModel(string Slug, string Provider, decimal PromptPrice, decimal CompletionPrice, bool Reasoning, bool Embedding);

    internal sealed record SeedProject(Project Entity, string IdText, decimal Markup, List<ProjectKey> Keys, string[] KeyIdText, double Weight, int[] Users, double[] UserCumulative);

    internal sealed record SeedUser(ProjectUser Entity, string IdText, int Project, List<UserKey> Keys, string[] KeyIdText, int[] Models, double[] ModelCumulative, double Activity);

    /// <summary>The synthetic tenants and the distributions rows are drawn from.</summary>
    internal sealed class World
    {
        public required SeedProject[] Projects { get; init; }
        public required SeedUser[] Users { get; init; }
        public required SeedModel[] Models { get; init; }
        public required double[] ProjectCumulative { get; init; }
        public required double[] ModelCumulative { get; init; }

        static readonly string[] Vendors =
            ["openai", "anthropic", "google", "meta-llama", "mistralai", "deepseek", "qwen", "x-ai", "cohere", "nvidia", "microsoft", "amazon",
             "perplexity", "moonshotai", "z-ai", "minimax", "nousresearch", "ai21", "inflection", "liquid"];
        static readonly string[] Famous =
            ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash", "openai/gpt-5-mini", "deepseek/deepseek-chat-v3.1",
             "anthropic/claude-haiku-4.5", "google/gemini-2.5-pro", "openai/gpt-4.1", "meta-llama/llama-3.3-70b-instruct", "qwen/qwen3-coder",
             "x-ai/grok-4-fast", "mistralai/mistral-small-3.2-24b-instruct", "openai/gpt-5", "anthropic/claude-opus-4.1", "openai/text-embedding-3-small"];
        static readonly string[] Families = ["chat", "instruct", "coder", "vision", "lite", "pro", "turbo", "mini", "large", "reasoning"];

        public static World Create(Random random, int projectCount, int userCount, int modelCount, DateOnly firstDay)
        {
            // Models: a few famous slugs, then plausible synthetic ones; popularity Zipf (s = 1.1); prices log-uniform.
            var models = new SeedModel[modelCount];
            for (var m = 0; m < modelCount; m++)
            {
                var slug = m < Famous.Length ? Famous[m]
                    : $"{Vendors[m % Vendors.Length]}/{Families[m / Vendors.Length % Families.Length]}-{1 + m / (Vendors.Length * Families.Length)}.{m % 7}-{(m * 37 % 400) + 1}b";
                var vendor = slug[..slug.IndexOf('/')];
                var perMillion = decimal.Round((decimal)Math.Exp(random.NextDouble() * Math.Log(15 / 0.02)) * 0.02m, 3);
                models[m] = new SeedModel(slug, char.ToUpperInvariant(vendor[0]) + vendor[1..], perMillion / 1_000_000m,
                    perMillion * 4 / 1_000_000m, slug.Contains("reasoning", StringComparison.Ordinal) || slug.Contains("gpt-5", StringComparison.Ordinal),
                    slug.Contains("embedding", StringComparison.Ordinal));
            }
            var modelCumulative = Cumulative(Enumerable.Range(0, modelCount).Select(m => 1 / Math.Pow(m + 1, 1.1)));

            // Projects: traffic Zipf (s = 1); users spread unevenly (∝ weight^0.7, at least 4 each).
            var projectWeights = Enumerable.Range(0, projectCount).Select(p => 1 / (p + 1.0)).ToArray();
            var shares = projectWeights.Select(w => Math.Pow(w, 0.7)).ToArray();
            var userSplit = shares.Select(s => Math.Max(4, (int)Math.Round(userCount * s / shares.Sum()))).ToArray();
            while (userSplit.Sum() > userCount)
            {
                userSplit[Array.IndexOf(userSplit, userSplit.Max())]--;
            }
            while (userSplit.Sum() < userCount)
            {
                userSplit[0]++;
            }
            var markups = new decimal[] { 0m, 5m, 10m, 12.5m, 15m, 20m, 7.25m };
            var created = firstDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(-30);
            var projects = new SeedProject[projectCount];
            var users = new List<SeedUser>();
            for (var p = 0; p < projectCount; p++)
            {
                var entity = new Project { Name = $"project-{p + 1:00}", MarkupPercent = p % 3 == 2 ? null : markups[p % markups.Length], CreatedAt = created };
                var keys = Enumerable.Range(0, 1 + p % 3).Select(k =>
                {
                    var key = ApiKeys.NewProjectKey();
                    return new ProjectKey { ProjectId = entity.Id, Name = $"key-{k + 1}", Prefix = key.Prefix, Hash = key.Hash, CreatedAt = created };
                }).ToList();
                var members = new int[userSplit[p]];
                for (var i = 0; i < members.Length; i++)
                {
                    members[i] = users.Count;
                    var user = new ProjectUser { ProjectId = entity.Id, Name = $"user-{p + 1:00}-{i + 1:0000}", Email = $"u{p + 1}.{i + 1}@example.test", CreatedAt = created };
                    var userKeys = Enumerable.Range(0, 1 + (i % 5 == 0 ? 1 : 0)).Select(k =>
                    {
                        var key = ApiKeys.NewUserKey();
                        return new UserKey { ProjectId = entity.Id, UserId = user.Id, Name = $"key-{k + 1}", Prefix = key.Prefix, Hash = key.Hash, CreatedAt = created };
                    }).ToList();
                    // Each user sticks to a handful of models (drawn by popularity) and wanders off 15% of the time.
                    var favourites = new HashSet<int>();
                    var wanted = 2 + random.Next(7);
                    while (favourites.Count < wanted)
                    {
                        favourites.Add(Pick(modelCumulative, random));
                    }
                    var favouriteList = favourites.ToArray();
                    users.Add(new SeedUser(user, Text(user.Id), p, userKeys, userKeys.Select(k => Text(k.Id)).ToArray(), favouriteList,
                        Cumulative(favouriteList.Select((_, rank) => 1 / Math.Pow(rank + 1, 1.2))), 1 / Math.Pow(i + 1, 0.9)));
                }
                var markup = entity.MarkupPercent ?? 0m;
                projects[p] = new SeedProject(entity, Text(entity.Id), markup, keys, keys.Select(k => Text(k.Id)).ToArray(), projectWeights[p], members,
                    Cumulative(members.Select(u => users[u].Activity)));
            }
            return new World
            {
                Projects = projects,
                Users = users.ToArray(),
                Models = models,
                ProjectCumulative = Cumulative(projectWeights),
                ModelCumulative = modelCumulative,
            };
        }

        /// <summary>Weekdays busier than weekends, traffic growing 30% over the period, today only up to now; sums to <paramref name="total"/>.</summary>
        public long[] RowsPerDay(long total, DateTime now)
        {
            var today = DateOnly.FromDateTime(now);
            var weights = new double[Days];
            for (var d = 0; d < Days; d++)
            {
                var day = today.AddDays(d - (Days - 1));
                weights[d] = (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.45 : 1.0) * (1 + 0.3 * d / Days);
            }
            weights[Days - 1] *= Math.Max(0.05, now.TimeOfDay.TotalDays);
            var sum = weights.Sum();
            var counts = weights.Select(w => (long)Math.Floor(total * w / sum)).ToArray();
            for (var i = 0; counts.Sum() < total; i++)
            {
                counts[i % Days]++;
            }
            return counts;
        }

        public void GenerateDay(Random random, DateOnly day, long count, DateTime now, List<Row> rows)
        {
            var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).Ticks;
            var end = Math.Min(start + TimeSpan.TicksPerDay, now.Ticks);
            var span = end - start;
            var recent = now.AddMinutes(-10).Ticks;
            for (long i = 0; i < count; i++)
            {
                // Time of day: a diurnal curve (busiest mid-afternoon UTC), by rejection sampling.
                long ticks;
                do
                {
                    ticks = start + (long)(random.NextDouble() * span);
                }
                while (random.NextDouble() > 0.55 + 0.45 * Math.Sin(Math.PI * ((ticks - start) / (double)TimeSpan.TicksPerDay * 24 - 8) / 12));
                var project = Projects[Pick(ProjectCumulative, random)];
                var userIndex = project.Users[Pick(project.UserCumulative, random)];
                var user = Users[userIndex];
                var modelIndex = random.NextDouble() < 0.85 ? user.Models[Pick(user.ModelCumulative, random)] : Pick(ModelCumulative, random);
                var model = Models[modelIndex];
                var row = new Row
                {
                    Ticks = ticks,
                    User = userIndex,
                    Model = modelIndex,
                    ProjectKey = (byte)(random.NextDouble() < 0.9 ? 0 : random.Next(3)),
                    UserKey = (byte)(random.NextDouble() < 0.9 ? 0 : 1),
                    Endpoint = model.Embedding ? "embeddings" : random.NextDouble() < 0.03 ? "completions" : "chat/completions",
                    Stream = !model.Embedding && random.NextDouble() < 0.55,
                    LatencyMs = (int)Math.Min(120_000, LogNormal(random, Math.Log(1400), 0.8)),
                };
                var outcome = random.NextDouble();
                if (outcome < 0.012)
                {
                    // Rejected or failed upstream: nothing charged, or nothing known.
                    row.Outcome = random.NextDouble() < 0.8 ? Outcome.UpstreamError : Outcome.UpstreamTimeout;
                    row.Status = row.Outcome == Outcome.UpstreamTimeout ? 504 : new[] { 400, 402, 429, 429, 500, 502, 503 }[random.Next(7)];
                    row.CostSource = row.Status < 500 ? CostSource.None : CostSource.Unpriced;
                    row.LatencyMs = Math.Min(row.LatencyMs, 30_000);
                    rows.Add(row);
                    continue;
                }
                row.Outcome = outcome < 0.02 ? Outcome.ClientAborted : Outcome.Completed;
                row.Status = row.Outcome == Outcome.ClientAborted ? 499 : 200;
                row.PromptTokens = (int)Math.Min(200_000, LogNormal(random, Math.Log(model.Embedding ? 300 : 900), 1.1));
                row.CompletionTokens = model.Embedding ? 0 : (int)Math.Min(32_000, LogNormal(random, Math.Log(260), 1.0));
                row.CachedTokens = random.NextDouble() < 0.3 ? (int)(row.PromptTokens * random.NextDouble() * 0.8) : 0;
                row.ReasoningTokens = model.Reasoning ? (int)(row.CompletionTokens * random.NextDouble() * 0.7) : 0;
                row.GenerationSuffix = (ulong)random.NextInt64(1, long.MaxValue);
                var priced = random.NextDouble();
                if (ticks >= recent || priced < 0.005)
                {
                    row.CostSource = CostSource.Pending; // waiting for the generation record
                }
                else if (priced < 0.02)
                {
                    row.CostSource = CostSource.Unpriced;
                    row.GenerationSuffix = 0;
                }
                else
                {
                    row.CostSource = row.Outcome == Outcome.ClientAborted || priced < 0.08 ? CostSource.Generation : CostSource.Upstream;
                    var upstream = decimal.Round(
                        (row.PromptTokens - row.CachedTokens) * model.PromptPrice + row.CachedTokens * model.PromptPrice / 4 + row.CompletionTokens * model.CompletionPrice,
                        8, MidpointRounding.AwayFromZero);
                    row.Upstream = upstream;
                    row.Billed = Markup.Bill(upstream, Projects[user.Project].Markup);
                }
                rows.Add(row);
            }
        }

        static double LogNormal(Random random, double mu, double sigma)
        {
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return Math.Max(1, Math.Exp(mu + sigma * normal));
        }

        static int Pick(double[] cumulative, Random random)
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
            return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
        }

        static double[] Cumulative(IEnumerable<double> weights)
        {
            var sum = 0.0;
            return weights.Select(w => sum += w).ToArray();
        }
    }

    static string Text(Guid id) => id.ToString().ToUpperInvariant();

    /// <summary>What the probe needs to pick projects and check totals.</summary>
    sealed class Manifest(World world, DateOnly today)
    {
        readonly long[] projectRows = new long[world.Projects.Length];
        readonly long[] userRows = new long[world.Users.Length];
        readonly Dictionary<(int Project, string Month), (long Requests, decimal Billed)> months = [];

        public long Rows { get; set; }
        public long RollupRows { get; set; }
        public long UserDayRows { get; set; }
        public long ModelDayRows { get; set; }
        public long ProjectDayRows { get; set; }
        public long UserMonthRows { get; set; }
        public long ModelMonthRows { get; set; }
        public double LoadSeconds { get; set; }
        public double TotalSeconds { get; set; }
        public long DatabaseBytes { get; set; }

        public void Add(World w, DateOnly day, in Row row)
        {
            var project = w.Users[row.User].Project;
            projectRows[project]++;
            userRows[row.User]++;
            var key = (project, day.ToString("yyyy-MM", CultureInfo.InvariantCulture));
            var (requests, billed) = months.GetValueOrDefault(key);
            months[key] = (requests + 1, billed + (row.Billed ?? 0m));
        }

        public object ToJson(World w)
        {
            var ranked = Enumerable.Range(0, w.Projects.Length).OrderByDescending(p => projectRows[p]).ToArray();
            object Describe(int p, string role)
            {
                var members = w.Projects[p].Users.OrderByDescending(u => userRows[u]).ToArray();
                return new
                {
                    role,
                    id = w.Projects[p].Entity.Id,
                    name = w.Projects[p].Entity.Name,
                    rows = projectRows[p],
                    users = members.Length,
                    busiestUser = w.Users[members[0]].Entity.Id,
                    busiestUserRows = userRows[members[0]],
                    medianUser = w.Users[members[members.Length / 2]].Entity.Id,
                    medianUserRows = userRows[members[members.Length / 2]],
                    months = months.Where(m => m.Key.Project == p).OrderBy(m => m.Key.Month, StringComparer.Ordinal)
                        .ToDictionary(m => m.Key.Month, m => new { requests = m.Value.Requests, billedUsd = m.Value.Billed }),
                };
            }
            return new
            {
                rows = Rows,
                rollupRows = RollupRows,
                userDayRows = UserDayRows,
                modelDayRows = ModelDayRows,
                projectDayRows = ProjectDayRows,
                userMonthRows = UserMonthRows,
                modelMonthRows = ModelMonthRows,
                projects = w.Projects.Length,
                users = w.Users.Length,
                models = w.Models.Length,
                days = Days,
                firstDay = today.AddDays(-(Days - 1)),
                today,
                loadSeconds = LoadSeconds,
                totalSeconds = TotalSeconds,
                databaseBytes = DatabaseBytes,
                targets = new[] { Describe(ranked[0], "busiest"), Describe(ranked[ranked.Length / 2], "median") },
            };
        }
    }
}
