using Microsoft.Data.Sqlite;

namespace Keypod.Core.Data;

/// <summary>
/// Online backup with SQLite's backup API: a consistent copy taken while Keypod keeps serving (WAL readers do not
/// block it). Restore = stop Keypod, put the copy in place of the database file (removing its -wal/-shm), start.
/// </summary>
public static class DatabaseBackup
{
    public static async Task BackupAsync(string connectionString, string destinationPath, CancellationToken cancellationToken = default)
    {
        destinationPath = Path.GetFullPath(destinationPath);
        if (File.Exists(destinationPath))
        {
            throw new IOException($"{destinationPath} already exists; choose a new file for the backup.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(destinationPath)!);
        if (!OperatingSystem.IsWindows())
        {
            // The backup holds the same secrets' hashes and billing data as the database: owner-only, like it.
            await using (new FileStream(destinationPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
            }
        }
        await using var source = new SqliteConnection(connectionString);
        await source.OpenAsync(cancellationToken);
        await using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destinationPath, Pooling = false }.ToString());
        await destination.OpenAsync(cancellationToken);
        source.BackupDatabase(destination);
        await using var command = destination.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=DELETE;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
