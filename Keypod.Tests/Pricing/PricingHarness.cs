using Keypod.Core.Configuration;
using Keypod.Core.Data;
using Keypod.Core.Pricing;
using Keypod.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keypod.Tests.Pricing;

/// <summary>
/// The pricing services as the app registers them (<c>AddPricing</c>), over a real SQLite file and a fake upstream.
/// Building a second harness over the same file is a restart.
/// </summary>
sealed class PricingHarness : IAsyncDisposable
{
    public const string BaseUrl = "https://openrouter.test/api/v1";
    public const string ApiKey = "sk-or-v1-test-secret-key";

    readonly ServiceProvider provider;

    PricingHarness(ServiceProvider provider, RecordingLoggerProvider logs)
    {
        this.provider = provider;
        Logs = logs;
    }

    public PricingCatalog Catalog => provider.GetRequiredService<PricingCatalog>();
    public IOpenRouterApi Api => provider.GetRequiredService<IOpenRouterApi>();
    public CatalogRefresher Refresher => provider.GetRequiredService<CatalogRefresher>();
    public RecordingLoggerProvider Logs { get; }

    public static async Task<PricingHarness> StartAsync(string databasePath, FakeOpenRouterHandler upstream, TimeProvider? clock = null,
        TimeSpan? refreshInterval = null)
    {
        var services = new ServiceCollection();
        var logs = new RecordingLoggerProvider();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddOptions<KeypodOptions>().Configure(options =>
        {
            options.OpenRouter.BaseUrl = BaseUrl;
            options.OpenRouter.ApiKey = ApiKey;
            options.Pricing.RefreshInterval = refreshInterval ?? TimeSpan.FromHours(1);
        });
        services.AddDbContextFactory<KeypodDbContext>(options => options.UseSqlite($"Data Source={databasePath};Pooling=False"));
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }
        services.AddPricing();
        services.AddHttpClient(Refit.UniqueName.ForType<IOpenRouterApi>()).ConfigurePrimaryHttpMessageHandler(() => upstream);
        var provider = services.BuildServiceProvider();
        await using (var db = await provider.GetRequiredService<IDbContextFactory<KeypodDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }
        return new PricingHarness(provider, logs);
    }

    public async Task<KeypodDbContext> OpenDbAsync() =>
        await provider.GetRequiredService<IDbContextFactory<KeypodDbContext>>().CreateDbContextAsync();

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}

/// <summary>Keeps every log line, so tests can check what was (and was not) written.</summary>
sealed class RecordingLoggerProvider : ILoggerProvider
{
    readonly List<(LogLevel Level, string Category, string Message)> entries = [];

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries
    {
        get
        {
            lock (entries)
            {
                return [.. entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.entries)
            {
                owner.entries.Add((logLevel, category, formatter(state, exception) + (exception is null ? "" : " | " + exception)));
            }
        }
    }
}

/// <summary>A SQLite file in the temp folder, deleted afterwards.</summary>
sealed class TempDatabase : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"keypod-pricing-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            File.Delete(Path + suffix);
        }
    }
}
