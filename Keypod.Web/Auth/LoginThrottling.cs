using Keypod.Core.Access;
using Keypod.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Auth;

/// <summary>
/// Per user name and client address: the first <see cref="FreeFailures"/> failures cost nothing, then every further failure
/// locks that pair out for twice as long as the last (30 s, 1 min, 2 min … 15 min). Failures are forgotten an hour after the last one.
/// </summary>
sealed class LoginThrottling(IDbContextFactory<KeypodDbContext> dbFactory, TimeProvider clock)
{
    public const int FreeFailures = 4;
    static readonly TimeSpan FirstLockout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);
    static readonly TimeSpan Memory = TimeSpan.FromHours(1);

    public static string KeyFor(string userName, string? clientAddress) =>
        $"{userName.Trim().ToLowerInvariant()}|{clientAddress ?? "unknown"}";

    /// <summary>How long the pair must still wait, or null when it may try now.</summary>
    public async Task<TimeSpan?> LockedForAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lockedUntil = await db.LoginThrottles.AsNoTracking().Where(t => t.Key == key).Select(t => t.LockedUntil).FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        return lockedUntil is { } until && until > now ? until - now : null;
    }

    public async Task RecordFailureAsync(string key, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var throttle = await db.LoginThrottles.FirstOrDefaultAsync(t => t.Key == key, cancellationToken);
        if (throttle is null)
        {
            throttle = new LoginThrottle { Key = key };
            db.LoginThrottles.Add(throttle);
        }
        else if (now - throttle.LastFailureAt > Memory)
        {
            throttle.Failures = 0;
        }
        throttle.Failures++;
        throttle.LastFailureAt = now;
        if (throttle.Failures > FreeFailures)
        {
            var doublings = Math.Min(throttle.Failures - FreeFailures - 1, 10);
            var lockout = TimeSpan.FromTicks(Math.Min(FirstLockout.Ticks << doublings, MaxLockout.Ticks));
            throttle.LockedUntil = now + lockout;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task ResetAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.LoginThrottles.Where(t => t.Key == key).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task ResetUserAsync(string userName, CancellationToken cancellationToken = default)
    {
        var prefix = userName.Trim().ToLowerInvariant() + "|";
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.LoginThrottles.Where(t => t.Key.StartsWith(prefix)).ExecuteDeleteAsync(cancellationToken);
    }
}
