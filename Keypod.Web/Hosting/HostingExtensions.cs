using System.Text.Json;
using System.Text.Json.Serialization;
using Keypod.Core.Access;
using Keypod.Core.Configuration;
using Keypod.Core.Data;
using Keypod.Core.Keys;
using Keypod.Core.Ledger;
using Keypod.Core.Projects;
using Keypod.Web.Auth;
using Keypod.Web.Components;
using Keypod.Web.Live;
using Keypod.Web.Management;
using Keypod.Web.Observability;
using Keypod.Web.Proxy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Keypod.Web.Hosting;

static class HostingExtensions
{
    public static void AddKeypod(this WebApplicationBuilder builder)
    {
        // The operator's appsettings.json sits at the repository root and is linked into the build output; read it from
        // there first so `dotnet run` and a published build behave alike whatever the working directory.
        builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Path = "appsettings.json",
            Optional = true,
            ReloadOnChange = false,
        });
        var services = builder.Services;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.RequestHeaderEncodingSelector = _ => System.Text.Encoding.UTF8;
        });

        services.AddOptions<KeypodOptions>().BindConfiguration(KeypodOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KeypodOptions>, KeypodOptionsValidator>();

        var connectionString = DatabaseSetup.ResolveConnectionString(builder.Configuration, builder.Environment);
        services.AddSingleton(new DatabaseConnection(connectionString));
        services.AddSingleton<SqlitePragmas>();
        services.AddPooledDbContextFactory<KeypodDbContext>((provider, options) => options
            .UseSqlite(provider.GetRequiredService<DatabaseConnection>().ConnectionString)
            .AddInterceptors(provider.GetRequiredService<SqlitePragmas>()));
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<KeypodDbContext>>().CreateDbContext());

        services.AddSingleton<KeyDirectory>();
        services.AddSingleton<UsageLedger>();
        services.AddSingleton(provider => new InflightJournal(
            DatabaseSetup.JournalDirectory(provider.GetRequiredService<DatabaseConnection>().ConnectionString),
            provider.GetRequiredService<ILogger<InflightJournal>>()));
        services.AddHostedService(provider => provider.GetRequiredService<UsageLedger>());
        services.AddSingleton<LiveUsage>();
        services.AddHostedService(provider => provider.GetRequiredService<LiveUsage>());

        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<InferenceForwarder>();
        services.AddPricing();
        services.AddKeypodMetrics();

        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new ExactDecimalJsonConverter());
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        services.AddSingleton<ProjectAdministration>();
        services.AddSingleton<ProjectAccess>();
        builder.AddKeypodAuthentication();
        services.AddProblemDetails();
        services.AddOpenApi();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
    }

    public static void MapKeypod(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(context =>
        {
            var error = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
            return error is BadHttpRequestException badRequest
                ? Proxy.OpenRouterError.WriteAsync(context, badRequest.StatusCode, "The request could not be read: " + badRequest.Message)
                : Proxy.OpenRouterError.WriteAsync(context, 500, "Keypod hit an internal error; the details are in its log.");
        }));
        app.UseApiStatusCodeEnvelopes();
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapOpenApi();
        app.MapHealth();
        app.MapKeypodMetrics();
        app.MapInferenceApi();
        app.MapManagementApi();
        app.MapAccountEndpoints();

        app.MapStaticAssets();
        // Our own CSP (SecurityHeaders) already says frame-ancestors 'none'; Blazor would add a second, weaker one.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

        var options = app.Services.GetRequiredService<IOptionsMonitor<KeypodOptions>>().CurrentValue;
        if (!options.OpenRouter.HasApiKey)
        {
            app.Logger.LogWarning("Keypod:OpenRouter:ApiKey is not set (environment variable Keypod__OpenRouter__ApiKey). " +
                "The dashboard works, but proxy requests are answered with 503 until an upstream key is configured.");
        }
        if (string.IsNullOrEmpty(options.Admin.MasterKey))
        {
            app.Logger.LogWarning("Keypod:Admin:MasterKey is not set: the management API at /api/v1 accepts no master key.");
        }
    }

    static void MapHealth(this WebApplication app) =>
        app.MapGet("/healthz", (UsageLedger ledger) => ledger.IsRunning
                ? Results.Text("ok")
                : Results.Text("ledger writer not running", statusCode: StatusCodes.Status503ServiceUnavailable))
            .ExcludeFromDescription();
}
