using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Keypod.Core.Ledger;

/// <summary>
/// The ledger writer's SQL, on one long-lived SQLite connection with prepared commands: a few microseconds a row,
/// where EF's change tracking cost tens. Values are bound in the formats EF Core's SQLite provider uses (Guid as
/// upper-case text, decimal as "0.0###…" text, DateTime as "yyyy-MM-dd HH:mm:ss.FFFFFFF"), so EF reads them back.
/// </summary>
sealed class LedgerSql(SqliteConnection connection) : IDisposable
{
    const string RecordColumns =
        "RequestId, CreatedAt, ProjectId, UserId, ProjectKeyId, UserKeyId, Endpoint, Model, ServedModel, Provider, GenerationId, Stream, " +
        "Status, Outcome, ErrorMessage, PromptTokens, CompletionTokens, CachedTokens, CacheWriteTokens, ReasoningTokens, WebSearches, IsByok, " +
        "UpstreamCostUsd, MarkupPercent, BilledUsd, CostSource, LatencyMs, TimeToFirstTokenMs";

    SqliteCommand? insert;
    SqliteCommand? selectByRequestId;
    SqliteCommand? updateCost;
    readonly SqliteCommand?[] selectRollup = new SqliteCommand?[Enum.GetValues<RollupKind>().Length];
    readonly SqliteCommand?[] upsertRollup = new SqliteCommand?[Enum.GetValues<RollupKind>().Length];

    public SqliteTransaction Begin() => connection.BeginTransaction();

    /// <summary>Inserts a row unless one with its request id exists; true when it was new.</summary>
    public bool Insert(UsageRecord r, SqliteTransaction transaction)
    {
        insert ??= Prepare(
            $"INSERT INTO UsageRecords ({RecordColumns}) VALUES ({string.Join(", ", RecordColumns.Split(", ").Select(c => "$" + c))}) " +
            "ON CONFLICT (RequestId) DO NOTHING RETURNING Id",
            RecordColumns.Split(", "));
        insert.Transaction = transaction;
        var p = insert.Parameters;
        p[0].Value = r.RequestId;
        p[1].Value = r.CreatedAt;
        p[2].Value = Text(r.ProjectId);
        p[3].Value = Text(r.UserId);
        p[4].Value = Text(r.ProjectKeyId);
        p[5].Value = Text(r.UserKeyId);
        p[6].Value = r.Endpoint;
        p[7].Value = (object?)r.Model ?? DBNull.Value;
        p[8].Value = (object?)r.ServedModel ?? DBNull.Value;
        p[9].Value = (object?)r.Provider ?? DBNull.Value;
        p[10].Value = (object?)r.GenerationId ?? DBNull.Value;
        p[11].Value = r.Stream;
        p[12].Value = r.Status;
        p[13].Value = r.Outcome.ToString();
        p[14].Value = (object?)r.ErrorMessage ?? DBNull.Value;
        p[15].Value = r.PromptTokens;
        p[16].Value = r.CompletionTokens;
        p[17].Value = r.CachedTokens;
        p[18].Value = r.CacheWriteTokens;
        p[19].Value = r.ReasoningTokens;
        p[20].Value = r.WebSearches;
        p[21].Value = r.IsByok;
        p[22].Value = Money(r.UpstreamCostUsd);
        p[23].Value = Money(r.MarkupPercent);
        p[24].Value = Money(r.BilledUsd);
        p[25].Value = r.CostSource.ToString();
        p[26].Value = r.LatencyMs;
        p[27].Value = (object?)r.TimeToFirstTokenMs ?? DBNull.Value;
        var id = insert.ExecuteScalar();
        if (id is long rowId)
        {
            r.Id = rowId;
            return true;
        }
        return false;
    }

    public UsageRecord? FindByRequestId(string requestId, SqliteTransaction transaction)
    {
        selectByRequestId ??= Prepare($"SELECT Id, {RecordColumns} FROM UsageRecords WHERE RequestId = $RequestId", "RequestId");
        selectByRequestId.Transaction = transaction;
        selectByRequestId.Parameters[0].Value = requestId;
        using var reader = selectByRequestId.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        return new UsageRecord
        {
            Id = reader.GetInt64(0),
            RequestId = reader.GetString(1),
            CreatedAt = DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc),
            ProjectId = reader.GetGuid(3),
            UserId = reader.GetGuid(4),
            ProjectKeyId = reader.GetGuid(5),
            UserKeyId = reader.GetGuid(6),
            Endpoint = reader.GetString(7),
            Model = reader.IsDBNull(8) ? null : reader.GetString(8),
            ServedModel = reader.IsDBNull(9) ? null : reader.GetString(9),
            Provider = reader.IsDBNull(10) ? null : reader.GetString(10),
            GenerationId = reader.IsDBNull(11) ? null : reader.GetString(11),
            Stream = reader.GetBoolean(12),
            Status = reader.GetInt32(13),
            Outcome = Enum.Parse<Outcome>(reader.GetString(14)),
            ErrorMessage = reader.IsDBNull(15) ? null : reader.GetString(15),
            PromptTokens = reader.GetInt32(16),
            CompletionTokens = reader.GetInt32(17),
            CachedTokens = reader.GetInt32(18),
            CacheWriteTokens = reader.GetInt32(19),
            ReasoningTokens = reader.GetInt32(20),
            WebSearches = reader.GetInt32(21),
            IsByok = reader.GetBoolean(22),
            UpstreamCostUsd = reader.IsDBNull(23) ? null : reader.GetDecimal(23),
            MarkupPercent = reader.GetDecimal(24),
            BilledUsd = reader.IsDBNull(25) ? null : reader.GetDecimal(25),
            CostSource = Enum.Parse<CostSource>(reader.GetString(26)),
            LatencyMs = reader.GetInt32(27),
            TimeToFirstTokenMs = reader.IsDBNull(28) ? null : reader.GetInt32(28),
        };
    }

    public void UpdateCost(UsageRecord r, SqliteTransaction transaction)
    {
        updateCost ??= Prepare(
            "UPDATE UsageRecords SET CostSource = $CostSource, UpstreamCostUsd = $UpstreamCostUsd, BilledUsd = $BilledUsd, " +
            "PromptTokens = $PromptTokens, CompletionTokens = $CompletionTokens, CachedTokens = $CachedTokens, ReasoningTokens = $ReasoningTokens, " +
            "ServedModel = $ServedModel, Provider = $Provider WHERE Id = $Id",
            "CostSource", "UpstreamCostUsd", "BilledUsd", "PromptTokens", "CompletionTokens", "CachedTokens", "ReasoningTokens", "ServedModel", "Provider", "Id");
        updateCost.Transaction = transaction;
        var p = updateCost.Parameters;
        p[0].Value = r.CostSource.ToString();
        p[1].Value = Money(r.UpstreamCostUsd);
        p[2].Value = Money(r.BilledUsd);
        p[3].Value = r.PromptTokens;
        p[4].Value = r.CompletionTokens;
        p[5].Value = r.CachedTokens;
        p[6].Value = r.ReasoningTokens;
        p[7].Value = (object?)r.ServedModel ?? DBNull.Value;
        p[8].Value = (object?)r.Provider ?? DBNull.Value;
        p[9].Value = r.Id;
        updateCost.ExecuteNonQuery();
    }

    const string Measures = "Requests, PromptTokens, CompletionTokens, CachedTokens, ReasoningTokens, UnpricedRequests, UpstreamCostUsd, BilledUsd";

    /// <summary>The current totals of one rollup row (zeros when it does not exist yet).</summary>
    public RollupTotals LoadRollup(RollupKey key, SqliteTransaction transaction)
    {
        var (table, keyColumns) = Shape(key.Kind);
        var command = selectRollup[(int)key.Kind] ??= Prepare(
            $"SELECT {Measures} FROM {table} WHERE {string.Join(" AND ", keyColumns.Select(c => $"{c} = ${c}"))}", keyColumns);
        command.Transaction = transaction;
        BindKey(command, key);
        using var reader = command.ExecuteReader();
        RollupTotals rollup = key.Kind switch
        {
            RollupKind.UserModel => new UsageRollup { ProjectId = key.ProjectId, Day = key.Day, UserId = key.UserId, Model = key.Model },
            RollupKind.User => new UsageUserDay { ProjectId = key.ProjectId, Day = key.Day, UserId = key.UserId },
            RollupKind.Model => new UsageModelDay { ProjectId = key.ProjectId, Day = key.Day, Model = key.Model },
            RollupKind.Project => new UsageProjectDay { ProjectId = key.ProjectId, Day = key.Day },
            RollupKind.UserMonth => new UsageUserMonth { ProjectId = key.ProjectId, Day = key.Day, UserId = key.UserId },
            _ => new UsageModelMonth { ProjectId = key.ProjectId, Day = key.Day, Model = key.Model },
        };
        if (reader.Read())
        {
            rollup.Requests = reader.GetInt64(0);
            rollup.PromptTokens = reader.GetInt64(1);
            rollup.CompletionTokens = reader.GetInt64(2);
            rollup.CachedTokens = reader.GetInt64(3);
            rollup.ReasoningTokens = reader.GetInt64(4);
            rollup.UnpricedRequests = reader.GetInt64(5);
            rollup.UpstreamCostUsd = reader.GetDecimal(6);
            rollup.BilledUsd = reader.GetDecimal(7);
        }
        return rollup;
    }

    public void SaveRollup(RollupKey key, RollupTotals r, SqliteTransaction transaction)
    {
        var (table, keyColumns) = Shape(key.Kind);
        var measures = Measures.Split(", ");
        var command = upsertRollup[(int)key.Kind] ??= Prepare(
            $"INSERT INTO {table} ({string.Join(", ", keyColumns)}, {Measures}) VALUES ({string.Join(", ", keyColumns.Concat(measures).Select(c => "$" + c))}) " +
            $"ON CONFLICT ({string.Join(", ", keyColumns)}) DO UPDATE SET {string.Join(", ", measures.Select(c => $"{c} = excluded.{c}"))}",
            [.. keyColumns, .. measures]);
        command.Transaction = transaction;
        BindKey(command, key);
        var p = command.Parameters;
        var at = keyColumns.Length;
        p[at].Value = r.Requests;
        p[at + 1].Value = r.PromptTokens;
        p[at + 2].Value = r.CompletionTokens;
        p[at + 3].Value = r.CachedTokens;
        p[at + 4].Value = r.ReasoningTokens;
        p[at + 5].Value = r.UnpricedRequests;
        p[at + 6].Value = Money(r.UpstreamCostUsd);
        p[at + 7].Value = Money(r.BilledUsd);
        command.ExecuteNonQuery();
    }

    static (string Table, string[] KeyColumns) Shape(RollupKind kind) => kind switch
    {
        RollupKind.UserModel => ("UsageRollups", ["ProjectId", "Day", "UserId", "Model"]),
        RollupKind.User => ("UsageUserDays", ["ProjectId", "Day", "UserId"]),
        RollupKind.Model => ("UsageModelDays", ["ProjectId", "Day", "Model"]),
        RollupKind.Project => ("UsageProjectDays", ["ProjectId", "Day"]),
        RollupKind.UserMonth => ("UsageUserMonths", ["ProjectId", "Month", "UserId"]),
        _ => ("UsageModelMonths", ["ProjectId", "Month", "Model"]),
    };

    static void BindKey(SqliteCommand command, RollupKey key)
    {
        var p = command.Parameters;
        p[0].Value = Text(key.ProjectId);
        p[1].Value = key.Day;
        switch (key.Kind)
        {
            case RollupKind.UserModel:
                p[2].Value = Text(key.UserId);
                p[3].Value = key.Model;
                break;
            case RollupKind.User or RollupKind.UserMonth:
                p[2].Value = Text(key.UserId);
                break;
            case RollupKind.Model or RollupKind.ModelMonth:
                p[2].Value = key.Model;
                break;
        }
    }

    SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter("$" + name, null));
        }
        return command;
    }

    static string Text(Guid id) => id.ToString().ToUpperInvariant();

    static object Money(decimal? value) =>
        value is { } money ? money.ToString("0.0###########################", CultureInfo.InvariantCulture) : DBNull.Value;

    public void Dispose()
    {
        insert?.Dispose();
        selectByRequestId?.Dispose();
        updateCost?.Dispose();
        foreach (var command in selectRollup.Concat(upsertRollup))
        {
            command?.Dispose();
        }
        connection.Dispose();
    }
}

enum RollupKind
{
    /// <summary><see cref="UsageRollup"/>: project, day, user and model.</summary>
    UserModel,
    /// <summary><see cref="UsageUserDay"/>: project, day and user.</summary>
    User,
    /// <summary><see cref="UsageModelDay"/>: project, day and model.</summary>
    Model,
    /// <summary><see cref="UsageProjectDay"/>: project and day.</summary>
    Project,
    /// <summary><see cref="UsageUserMonth"/>: project, month (its first day, in <see cref="RollupKey.Day"/>) and user.</summary>
    UserMonth,
    /// <summary><see cref="UsageModelMonth"/>: project, month (its first day) and model.</summary>
    ModelMonth,
}

readonly record struct RollupKey(RollupKind Kind, Guid ProjectId, DateOnly Day, Guid UserId, string Model)
{
    /// <summary>The six rollup rows a ledger row counts in.</summary>
    public static RollupKey[] Of(UsageRecord record)
    {
        var day = DateOnly.FromDateTime(record.CreatedAt);
        var month = new DateOnly(day.Year, day.Month, 1);
        var model = record.ServedModel ?? record.Model ?? "(unknown)";
        return
        [
            new(RollupKind.UserModel, record.ProjectId, day, record.UserId, model),
            new(RollupKind.User, record.ProjectId, day, record.UserId, ""),
            new(RollupKind.Model, record.ProjectId, day, Guid.Empty, model),
            new(RollupKind.Project, record.ProjectId, day, Guid.Empty, ""),
            new(RollupKind.UserMonth, record.ProjectId, month, record.UserId, ""),
            new(RollupKind.ModelMonth, record.ProjectId, month, Guid.Empty, model),
        ];
    }
}
