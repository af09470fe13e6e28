using System.Globalization;
using Keypod.Core.Billing;
using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Keypod.Core.Projects;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Tests.Billing;

/// <summary>
/// A migrated SQLite file with a large synthetic ledger and its exact daily rollups, written with raw prepared inserts in the
/// formats <c>LedgerSql</c> uses (Guid as upper-case text, decimal as "0.0###…" text), so the app reads it as its own.
/// Rows span the last <see cref="Days"/> days and stop two hours ago, so nothing lands in the live window or the cost resolver's
/// queues; the unpriced rows are older than its 7-day retry window.
/// </summary>
public sealed class LargeLedgerSeed
{
    public const int Days = 45;
    static readonly string[] Models = ["anthropic/claude-4.5-haiku-20251001", "openai/gpt-5.2", "google/gemini-2.5-flash", "meta-llama/llama-4-maverick",
        "mistralai/mistral-large", "deepseek/deepseek-v3.2"];

    public required string Path { get; init; }
    public required List<(Guid Id, string Name, List<Guid> Users)> Projects { get; init; }
    public required Dictionary<(Guid Project, DateOnly Day, Guid User, string Model), UsageRollup> Rollups { get; init; }
    public long Rows { get; init; }

    public static async Task<LargeLedgerSeed> CreateAsync(int rows, int projectCount = 3, int usersPerProject = 12)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"keypod-large-{Guid.NewGuid():N}.db");
        var options = new DbContextOptionsBuilder<KeypodDbContext>().UseSqlite($"Data Source={path}").Options;
        var projects = new List<(Guid Id, string Name, List<Guid> Users)>();
        var keys = new Dictionary<Guid, (Guid ProjectKey, Guid UserKey)>();
        await using (var db = new KeypodDbContext(options))
        {
            await db.Database.MigrateAsync();
            for (var p = 0; p < projectCount; p++)
            {
                var project = new Project { Name = $"Load project {p + 1}", MarkupPercent = 10m };
                var projectKey = new ProjectKey { ProjectId = project.Id, Name = "seed", Prefix = $"kp_proj_s{p}", Hash = System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()) };
                db.Projects.Add(project);
                db.ProjectKeys.Add(projectKey);
                var users = new List<Guid>();
                for (var u = 0; u < usersPerProject; u++)
                {
                    var user = new ProjectUser { ProjectId = project.Id, Name = $"User {p + 1}.{u + 1:00}" };
                    var userKey = new UserKey { ProjectId = project.Id, UserId = user.Id, Name = "seed", Prefix = $"user_s{p}{u}", Hash = System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()) };
                    db.Users.Add(user);
                    db.UserKeys.Add(userKey);
                    users.Add(user.Id);
                    keys[user.Id] = (projectKey.Id, userKey.Id);
                }
                projects.Add((project.Id, project.Name, users));
            }
            await db.SaveChangesAsync();
        }

        var rollups = new Dictionary<(Guid, DateOnly, Guid, string), UsageRollup>();
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000;";
            await pragmas.ExecuteNonQueryAsync();
        }
        var end = DateTime.UtcNow.AddHours(-2);
        var start = end.AddDays(-Days);
        var step = (end - start).Ticks / rows;
        var unpricedBefore = DateTime.UtcNow.AddDays(-8);
        var random = new Random(20261204);
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            string[] columns = ["RequestId", "CreatedAt", "ProjectId", "UserId", "ProjectKeyId", "UserKeyId", "Endpoint", "Model", "ServedModel", "Provider",
                "GenerationId", "Stream", "Status", "Outcome", "ErrorMessage", "PromptTokens", "CompletionTokens", "CachedTokens", "CacheWriteTokens",
                "ReasoningTokens", "WebSearches", "IsByok", "UpstreamCostUsd", "MarkupPercent", "BilledUsd", "CostSource", "LatencyMs", "TimeToFirstTokenMs"];
            insert.CommandText = $"INSERT INTO UsageRecords ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "$" + c))})";
            var p = columns.Select(c => insert.Parameters.Add(new SqliteParameter("$" + c, null))).ToArray();
            insert.Prepare();
            for (var i = 0; i < rows; i++)
            {
                var project = projects[i % projects.Count];
                var userId = project.Users[random.Next(project.Users.Count)];
                var model = Models[random.Next(Models.Length)];
                var createdAt = new DateTime(start.Ticks + step * i, DateTimeKind.Utc);
                var prompt = random.Next(10, 4000);
                var completion = random.Next(1, 1200);
                var unpriced = createdAt < unpricedBefore && i % 97 == 0;
                decimal? upstream = unpriced ? null : (prompt * 0.000000125m + completion * 0.000001m) * (1 + model.Length % 3);
                decimal? billed = upstream is { } cost ? Markup.Bill(cost, 10m) : null;
                var stream = i % 3 == 0;
                p[0].Value = $"req_seed_{i:x12}";
                p[1].Value = createdAt;
                p[2].Value = Text(project.Id);
                p[3].Value = Text(userId);
                p[4].Value = Text(keys[userId].ProjectKey);
                p[5].Value = Text(keys[userId].UserKey);
                p[6].Value = "chat/completions";
                p[7].Value = model;
                p[8].Value = model;
                p[9].Value = "Seeded";
                p[10].Value = $"gen-seed-{i}";
                p[11].Value = stream;
                p[12].Value = 200;
                p[13].Value = nameof(Outcome.Completed);
                p[14].Value = DBNull.Value;
                p[15].Value = prompt;
                p[16].Value = completion;
                p[17].Value = 0;
                p[18].Value = 0;
                p[19].Value = 0;
                p[20].Value = 0;
                p[21].Value = false;
                p[22].Value = Money(upstream);
                p[23].Value = Money(10m);
                p[24].Value = Money(billed);
                p[25].Value = unpriced ? nameof(CostSource.Unpriced) : nameof(CostSource.Upstream);
                p[26].Value = random.Next(200, 9000);
                p[27].Value = stream ? random.Next(80, 900) : DBNull.Value;
                insert.ExecuteNonQuery();

                var key = (project.Id, DateOnly.FromDateTime(createdAt), userId, model);
                if (!rollups.TryGetValue(key, out var rollup))
                {
                    rollup = new UsageRollup { ProjectId = project.Id, Day = key.Item2, UserId = userId, Model = model };
                    rollups[key] = rollup;
                }
                rollup.Requests++;
                rollup.PromptTokens += prompt;
                rollup.CompletionTokens += completion;
                rollup.UpstreamCostUsd += upstream ?? 0m;
                rollup.BilledUsd += billed ?? 0m;
                rollup.UnpricedRequests += unpriced ? 1 : 0;
            }

            await using var rollupInsert = connection.CreateCommand();
            rollupInsert.Transaction = transaction;
            rollupInsert.CommandText = "INSERT INTO UsageRollups (ProjectId, Day, UserId, Model, Requests, PromptTokens, CompletionTokens, CachedTokens, " +
                "ReasoningTokens, UnpricedRequests, UpstreamCostUsd, BilledUsd) VALUES ($p, $d, $u, $m, $r, $pt, $ct, 0, 0, $un, $up, $b)";
            var r = new[] { "$p", "$d", "$u", "$m", "$r", "$pt", "$ct", "$un", "$up", "$b" }.Select(n => rollupInsert.Parameters.Add(new SqliteParameter(n, null))).ToArray();
            rollupInsert.Prepare();
            foreach (var rollup in rollups.Values)
            {
                r[0].Value = Text(rollup.ProjectId);
                r[1].Value = rollup.Day;
                r[2].Value = Text(rollup.UserId);
                r[3].Value = rollup.Model;
                r[4].Value = rollup.Requests;
                r[5].Value = rollup.PromptTokens;
                r[6].Value = rollup.CompletionTokens;
                r[7].Value = rollup.UnpricedRequests;
                r[8].Value = Money(rollup.UpstreamCostUsd);
                r[9].Value = Money(rollup.BilledUsd);
                rollupInsert.ExecuteNonQuery();
            }
            // The coarser rollups the ledger writer keeps beside the fine ones: per user and day, per model and day, per project
            // and day; per user and month, per model and month (keyed by the month's first day).
            InsertCoarse(connection, transaction, "UsageUserDays", "Day", "UserId",
                rollups.Values.GroupBy(x => (x.ProjectId, x.Day, Key: Text(x.UserId))));
            InsertCoarse(connection, transaction, "UsageModelDays", "Day", "Model",
                rollups.Values.GroupBy(x => (x.ProjectId, x.Day, Key: x.Model)));
            InsertCoarse(connection, transaction, "UsageProjectDays", "Day", null,
                rollups.Values.GroupBy(x => (x.ProjectId, x.Day, Key: "")));
            InsertCoarse(connection, transaction, "UsageUserMonths", "Month", "UserId",
                rollups.Values.GroupBy(x => (x.ProjectId, Day: BillingReports.MonthStart(x.Day), Key: Text(x.UserId))));
            InsertCoarse(connection, transaction, "UsageModelMonths", "Month", "Model",
                rollups.Values.GroupBy(x => (x.ProjectId, Day: BillingReports.MonthStart(x.Day), Key: x.Model)));
            await transaction.CommitAsync();
        }
        await using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }
        return new LargeLedgerSeed { Path = path, Projects = projects, Rollups = rollups, Rows = rows };
    }

    static void InsertCoarse(SqliteConnection connection, SqliteTransaction transaction, string table, string dayColumn, string? keyColumn,
        IEnumerable<IGrouping<(Guid ProjectId, DateOnly Day, string Key), UsageRollup>> groups)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        // Without a key column $k is bound but unused.
        insert.CommandText = $"INSERT INTO {table} (ProjectId, {dayColumn}, {(keyColumn is null ? "" : keyColumn + ", ")}Requests, PromptTokens, CompletionTokens, CachedTokens, " +
            $"ReasoningTokens, UnpricedRequests, UpstreamCostUsd, BilledUsd) VALUES ($p, $d, {(keyColumn is null ? "" : "$k, ")}$r, $pt, $ct, 0, 0, $un, $up, $b)";
        var p = new[] { "$p", "$d", "$k", "$r", "$pt", "$ct", "$un", "$up", "$b" }.Select(n => insert.Parameters.Add(new SqliteParameter(n, null))).ToArray();
        insert.Prepare();
        foreach (var group in groups)
        {
            p[0].Value = Text(group.Key.ProjectId);
            p[1].Value = group.Key.Day;
            p[2].Value = group.Key.Key;
            p[3].Value = group.Sum(x => x.Requests);
            p[4].Value = group.Sum(x => x.PromptTokens);
            p[5].Value = group.Sum(x => x.CompletionTokens);
            p[6].Value = group.Sum(x => x.UnpricedRequests);
            p[7].Value = Money(group.Sum(x => x.UpstreamCostUsd));
            p[8].Value = Money(group.Sum(x => x.BilledUsd));
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>The exact totals the billing pages should show for a filter over the rollups.</summary>
    public (long Requests, long Unpriced, decimal Billed) Totals(Func<UsageRollup, bool> include)
    {
        var selected = Rollups.Values.Where(include).ToList();
        return (selected.Sum(r => r.Requests), selected.Sum(r => r.UnpricedRequests), selected.Sum(r => r.BilledUsd));
    }

    static string Text(Guid id) => id.ToString().ToUpperInvariant();

    static object Money(decimal? value) =>
        value is { } money ? money.ToString("0.0###########################", CultureInfo.InvariantCulture) : DBNull.Value;
}
