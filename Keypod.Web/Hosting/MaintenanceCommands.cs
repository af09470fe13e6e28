using Keypod.Core.Data;

namespace Keypod.Web.Hosting;

/// <summary>Operator commands run instead of the server: <c>dotnet run --project Keypod.Web -- backup &lt;file&gt;</c>.</summary>
static class MaintenanceCommands
{
    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args is not ["backup", var destination, ..])
        {
            return false;
        }
        var builder = WebApplication.CreateBuilder(args[2..]);
        var connectionString = DatabaseSetup.ResolveConnectionString(builder.Configuration, builder.Environment);
        await DatabaseBackup.BackupAsync(connectionString, destination);
        Console.WriteLine($"Backed up the Keypod database to {Path.GetFullPath(destination)}.");
        return true;
    }
}
