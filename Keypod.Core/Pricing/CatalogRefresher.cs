using Keypod.Core.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Keypod.Core.Pricing;

/// <summary>
/// Keeps the pricing catalog fresh: loads the stored copy and refreshes it from OpenRouter in the background at start-up
/// (start-up never waits for the upstream), then every <c>Keypod:Pricing:RefreshInterval</c>. After a failed refresh it
/// tries again sooner, at most <see cref="RetryAfterFailure"/> later.
/// </summary>
public sealed partial class CatalogRefresher(
    PricingCatalog catalog,
    IOptionsMonitor<KeypodOptions> options,
    TimeProvider clock,
    ILogger<CatalogRefresher> logger) : BackgroundService
{
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(5);

    /// <summary>Refreshes now, outside the schedule (serialized with the scheduled refreshes).</summary>
    public Task<CatalogRefreshResult> RefreshNowAsync(CancellationToken cancellationToken = default) => catalog.RefreshAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var interval = options.CurrentValue.Pricing.RefreshInterval;
            try
            {
                var result = await catalog.RefreshAsync(stoppingToken);
                if (!result.Succeeded && interval > RetryAfterFailure)
                {
                    interval = RetryAfterFailure;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // A database fault, say: keep the schedule alive, the next round may succeed.
                LogRefreshCrashed(exception);
                interval = interval > RetryAfterFailure ? RetryAfterFailure : interval;
            }
            try
            {
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Model catalog refresh crashed; retrying later")]
    partial void LogRefreshCrashed(Exception exception);
}
