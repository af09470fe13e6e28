using Keypod.Core.Data;
using Keypod.Web.Auth;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Keypod.Tests.Dashboard;

public sealed class LoginThrottlingTests : IDisposable
{
    readonly SqliteConnection connection = new("Data Source=:memory:");
    readonly ManualClock clock = new();
    readonly LoginThrottling throttling;

    public LoginThrottlingTests()
    {
        connection.Open();
        var factory = new PooledDbContextFactory<KeypodDbContext>(new DbContextOptionsBuilder<KeypodDbContext>().UseSqlite(connection).Options);
        using (var db = factory.CreateDbContext())
        {
            db.Database.Migrate();
        }
        throttling = new LoginThrottling(factory, clock);
    }

    [Fact]
    public async Task Lockouts_start_after_four_failures_and_double_up_to_fifteen_minutes()
    {
        var key = LoginThrottling.KeyFor("Admin", "10.0.0.1");
        for (var i = 0; i < LoginThrottling.FreeFailures; i++)
        {
            await throttling.RecordFailureAsync(key);
            (await throttling.LockedForAsync(key)).Should().BeNull();
        }
        var expected = new[] { 30, 60, 120, 240, 480, 900, 900 };
        foreach (var seconds in expected)
        {
            await throttling.RecordFailureAsync(key);
            (await throttling.LockedForAsync(key)).Should().Be(TimeSpan.FromSeconds(seconds));
        }
        (await throttling.LockedForAsync(LoginThrottling.KeyFor("admin", "10.0.0.2"))).Should().BeNull("another address is not locked");

        clock.Advance(TimeSpan.FromMinutes(16));
        (await throttling.LockedForAsync(key)).Should().BeNull("the lockout ends");
        await throttling.ResetAsync(key);
        await throttling.RecordFailureAsync(key);
        (await throttling.LockedForAsync(key)).Should().BeNull("a success starts the count again");
    }

    public void Dispose() => connection.Dispose();

    sealed class ManualClock : TimeProvider
    {
        DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
