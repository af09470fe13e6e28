namespace Keypod.Web.Auth;

static class AdminCommands
{
    public const string ResetAdminPassword = "reset-admin-password";

    /// <summary>Runs a maintenance command given on the command line instead of the server; false when there is none.</summary>
    public static async Task<bool> RunAdminCommandAsync(this WebApplication app, string[] args)
    {
        if (!args.Contains(ResetAdminPassword, StringComparer.Ordinal))
        {
            return false;
        }
        var password = await app.Services.GetRequiredService<LocalAdminAccounts>().ResetPasswordAsync();
        // Written to the operator's terminal, not to the log.
        Console.WriteLine($"The local admin password was reset. Sign in at /account/login as '{LocalAdminAccounts.DefaultUserName}' with:");
        Console.WriteLine();
        Console.WriteLine("    " + password);
        Console.WriteLine();
        Console.WriteLine("Every earlier local admin session has been signed out.");
        return true;
    }

    public static Task EnsureLocalAdminAsync(this WebApplication app) =>
        app.Services.GetRequiredService<LocalAdminAccounts>().EnsureCreatedAsync();
}
