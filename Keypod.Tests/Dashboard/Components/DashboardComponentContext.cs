using System.Security.Claims;
using Bunit;
using Keypod.Core.Configuration;
using Keypod.Core.Access;
using Keypod.Core.Data;
using Keypod.Core.Keys;
using Keypod.Core.Projects;
using Keypod.Web.Auth;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Keypod.Tests.Dashboard.Components;

/// <summary>bunit with MudBlazor registered the way MudBlazor's own tests do, and Keypod's real services over an in-memory SQLite database.</summary>
public abstract class DashboardComponentContext : BunitContext, IAsyncLifetime
{
    readonly SqliteConnection connection = new("Data Source=:memory:");

    protected DashboardComponentContext()
    {
        connection.Open();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddDbContextFactory<KeypodDbContext>(options => options.UseSqlite(connection));
        Services.AddOptions<KeypodOptions>().Configure(options =>
        {
            options.OpenRouter.ApiKey = "sk-or-component-test-secret";
            options.Admin.MasterKey = "component-test-master-key";
            options.Auth.Oidc.ClientSecret = "component-test-client-secret";
        });
        Services.AddSingleton<KeyDirectory>();
        Services.AddSingleton<ProjectAdministration>();
        Services.AddSingleton<ProjectAccess>();
        // Not through Services: bunit freezes the container at the first resolution, and tests still add authorization.
        using var db = new KeypodDbContext(new DbContextOptionsBuilder<KeypodDbContext>().UseSqlite(connection).Options);
        db.Database.Migrate();
    }

    protected ProjectAdministration Administration => Services.GetRequiredService<ProjectAdministration>();

    protected KeypodDbContext CreateDbContext() => Services.GetRequiredService<IDbContextFactory<KeypodDbContext>>().CreateDbContext();

    protected void SignInAsAdmin()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("admin");
        auth.SetRoles(KeypodClaims.AdminRole);
    }

    protected void SignInAsMember(string email)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(email);
        auth.SetClaims(new Claim(ClaimTypes.Email, email));
    }

    protected async Task<Project> CreateProjectAsync(string name) => (await Administration.CreateProjectAsync(name, null)).Value!;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>MudBlazor's services are only asynchronously disposable, so xunit must dispose the context this way first.</summary>
    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await connection.DisposeAsync();
    }
}
