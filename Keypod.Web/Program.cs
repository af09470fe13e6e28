using Keypod.Web.Auth;
using Keypod.Web.Hosting;

if (await MaintenanceCommands.TryRunAsync(args))
{
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddKeypod();

var app = builder.Build();
await app.PrepareDatabaseAsync();
if (await app.RunAdminCommandAsync(args))
{
    return;
}
await app.EnsureLocalAdminAsync();
app.MapKeypod();
app.Run();

public partial class Program;
