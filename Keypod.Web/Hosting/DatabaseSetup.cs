using System.Data.Common;
using Keypod.Core.Data;
using Keypod.Core.Keys;
using Keypod.Core.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Keypod.Web.Hosting;

static class DatabaseSetup
{
    /// <summary><c>ConnectionStrings:Keypod</c>, or by default a SQLite file in the repository's (or app's) <c>Data/</c> folder.</summary>
    public static string ResolveConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString("Keypod");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }
        var dataDirectory = Path.Combine(FindHome(environment.ContentRootPath), "Data");
        Directory.CreateDirectory(dataDirectory);
        return new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "keypod.db") }.ToString();
    }

    /// <summary>The folder that holds Keypod.sln when running from a checkout; otherwise the content root (a published build).</summary>
    static string FindHome(string contentRoot)
    {
        for (var directory = new DirectoryInfo(contentRoot); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Keypod.sln")))
            {
                return directory.FullName;
            }
        }
        return contentRoot;
    }

    /// <summary>Creates the database file owner-only (it holds key hashes and billing data), then applies migrations.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var connectionString = app.Services.GetRequiredService<DatabaseConnection>().ConnectionString;
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (!string.IsNullOrEmpty(dataSource) && dataSource != ":memory:" && !dataSource.StartsWith("file:", StringComparison.Ordinal)
            && !File.Exists(dataSource) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(dataSource))!);
            await using (new FileStream(dataSource, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
            }
        }

        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<KeypodDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        await app.Services.GetRequiredService<KeyDirectory>().ReloadAsync();

        var recovered = await LedgerRecovery.RecoverAsync(app.Services.GetRequiredService<InflightJournal>(),
            app.Services.GetRequiredService<UsageLedger>(), dbFactory);
        if (recovered > 0)
        {
            app.Logger.LogWarning("Recovered {Count} requests that were in flight when Keypod last stopped; they are recorded as interrupted.", recovered);
        }
    }

    /// <summary>The in-flight journal lives beside the database file (<c>keypod.db.journal/</c>).</summary>
    public static string JournalDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        return string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal)
            ? Path.Combine(Path.GetTempPath(), "keypod-journal-" + Environment.ProcessId)
            : Path.GetFullPath(dataSource) + ".journal";
    }
}

sealed record DatabaseConnection(string ConnectionString);

/// <summary>
/// Per-connection SQLite settings: WAL with synchronous=NORMAL survives a process crash without an fsync per commit;
/// temporary tables, sorts and statement journals stay in memory instead of temp files.
/// </summary>
sealed class SqlitePragmas : DbConnectionInterceptor
{
    const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
