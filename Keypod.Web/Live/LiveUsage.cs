using Keypod.Core.Data;
using Keypod.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Live;

/// <summary>One minute of traffic per project, user and model, counted in memory from committed ledger rows.</summary>
public sealed record LiveCount(long Requests, long Tokens, decimal BilledUsd, long Unpriced)
{
    public static readonly LiveCount Zero = new(0, 0, 0m, 0);

    public LiveCount Add(UsageRecord record) => new(
        Requests + 1,
        Tokens + record.PromptTokens + record.CompletionTokens,
        BilledUsd + (record.BilledUsd ?? 0m),
        Unpriced + (record.CostSource is CostSource.Pending or CostSource.Unpriced ? 1 : 0));

    public LiveCount Add(LiveCount other) =>
        new(Requests + other.Requests, Tokens + other.Tokens, BilledUsd + other.BilledUsd, Unpriced + other.Unpriced);
}

public sealed record LiveMinute(DateTime Minute, LiveCount Totals);

public sealed record LiveTop(Guid ProjectId, string Key, LiveCount Totals);

/// <summary>What a dashboard shows: the last hour minute by minute (oldest first), and who and what spent in the last few minutes.</summary>
public sealed record LiveSnapshot(IReadOnlyList<LiveMinute> Minutes, IReadOnlyList<LiveTop> TopUsers, IReadOnlyList<LiveTop> TopModels, TimeSpan TopWindow)
{
    public LiveCount LastMinute => Minutes.Count > 0 ? Minutes[^1].Totals : LiveCount.Zero;
}

/// <summary>
/// The one in-memory view of recent traffic every open live dashboard shares: fed by <see cref="UsageLedger.Committed"/> (so
/// no dashboard polls the database), seeded once at start-up from the last hour of the ledger, and announcing changes at
/// most every <see cref="ThrottleInterval"/>. Counts cover rows as committed; a later cost revision of a pending row is not
/// replayed here (the billing pages have it).
/// </summary>
public sealed class LiveUsage : IHostedService, IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);
    public static readonly TimeSpan ThrottleInterval = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan DefaultTopWindow = TimeSpan.FromMinutes(5);

    sealed class Bucket
    {
        public readonly Dictionary<Guid, LiveCount> Projects = [];
        public readonly Dictionary<(Guid Project, Guid User), LiveCount> Users = [];
        public readonly Dictionary<(Guid Project, string Model), LiveCount> Models = [];
    }

    readonly UsageLedger ledger;
    readonly IDbContextFactory<KeypodDbContext> dbFactory;
    readonly TimeProvider clock;
    readonly ILogger<LiveUsage> logger;
    readonly Lock gate = new();
    readonly SortedDictionary<DateTime, Bucket> buckets = [];
    readonly ITimer throttle;
    readonly HashSet<long> seededIds = [];
    readonly HashSet<long> liveIds = [];
    const int SeedPage = 2000;
    bool seeding;
    long lastRaisedTicks;
    bool raiseScheduled;

    public LiveUsage(UsageLedger ledger, IDbContextFactory<KeypodDbContext> dbFactory, TimeProvider clock, ILogger<LiveUsage> logger)
    {
        this.ledger = ledger;
        this.dbFactory = dbFactory;
        this.clock = clock;
        this.logger = logger;
        throttle = clock.CreateTimer(_ => Raise(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Raised on a pool thread, never more often than <see cref="ThrottleInterval"/>; subscribers read <see cref="Snapshot"/>.</summary>
    public event Action? Changed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            seeding = true;
        }
        ledger.Committed += OnCommitted;
        try
        {
            await SeedAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Live usage could not read the last hour of the ledger; it starts empty");
        }
        finally
        {
            lock (gate)
            {
                seeding = false;
                seededIds.Clear();
                liveIds.Clear();
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        ledger.Committed -= OnCommitted;
        return Task.CompletedTask;
    }

    /// <summary>Reads the last hour newest first by primary key, in pages, so a large ledger costs only its recent rows.</summary>
    async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var since = clock.GetUtcNow().UtcDateTime - Window;
        var before = long.MaxValue;
        while (true)
        {
            var page = await db.UsageRecords.AsNoTracking().Where(r => r.Id < before).OrderByDescending(r => r.Id).Take(SeedPage)
                .Select(r => new UsageRecord
                {
                    Id = r.Id, RequestId = "", Endpoint = "", CreatedAt = r.CreatedAt, ProjectId = r.ProjectId, UserId = r.UserId,
                    Model = r.Model, ServedModel = r.ServedModel, PromptTokens = r.PromptTokens, CompletionTokens = r.CompletionTokens,
                    BilledUsd = r.BilledUsd, CostSource = r.CostSource,
                })
                .ToListAsync(cancellationToken);
            var recent = page.Where(r => r.CreatedAt >= since).ToList();
            Count(recent, fromSeed: true);
            if (page.Count < SeedPage || recent.Count == 0)
            {
                break;
            }
            before = page[^1].Id;
        }
        ScheduleRaise();
    }

    internal void OnCommitted(IReadOnlyList<UsageRecord> rows)
    {
        Count(rows, fromSeed: false);
        ScheduleRaise();
    }

    void Count(IEnumerable<UsageRecord> rows, bool fromSeed)
    {
        var oldest = Minute(clock.GetUtcNow().UtcDateTime - Window);
        lock (gate)
        {
            foreach (var row in rows)
            {
                var minute = Minute(row.CreatedAt);
                if (minute < oldest || (seeding && !FirstSighting(row.Id, fromSeed)))
                {
                    continue;
                }
                if (!buckets.TryGetValue(minute, out var bucket))
                {
                    bucket = new Bucket();
                    buckets[minute] = bucket;
                }
                bucket.Projects[row.ProjectId] = bucket.Projects.GetValueOrDefault(row.ProjectId, LiveCount.Zero).Add(row);
                var user = (row.ProjectId, row.UserId);
                bucket.Users[user] = bucket.Users.GetValueOrDefault(user, LiveCount.Zero).Add(row);
                var model = (row.ProjectId, row.ServedModel ?? row.Model ?? "(unknown)");
                bucket.Models[model] = bucket.Models.GetValueOrDefault(model, LiveCount.Zero).Add(row);
            }
            while (buckets.Count > 0 && buckets.First().Key < oldest)
            {
                buckets.Remove(buckets.First().Key);
            }
        }
    }

    /// <summary>While seeding, a row committed just then may arrive both from the seed query and from the ledger event: count it once.</summary>
    bool FirstSighting(long id, bool fromSeed) =>
        fromSeed ? !liveIds.Contains(id) && seededIds.Add(id) : !seededIds.Contains(id) && liveIds.Add(id);

    void ScheduleRaise()
    {
        lock (gate)
        {
            if (raiseScheduled)
            {
                return;
            }
            raiseScheduled = true;
            var sinceLast = TimeSpan.FromTicks(clock.GetUtcNow().UtcTicks - lastRaisedTicks);
            var wait = sinceLast >= ThrottleInterval ? TimeSpan.Zero : ThrottleInterval - sinceLast;
            // A timer even for "now": the ledger writer's thread must not run subscribers.
            throttle.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    void Raise()
    {
        lock (gate)
        {
            raiseScheduled = false;
            lastRaisedTicks = clock.GetUtcNow().UtcTicks;
        }
        try
        {
            Changed?.Invoke();
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "A live usage subscriber failed");
        }
    }

    /// <summary>The last hour for the projects <paramref name="includeProject"/> accepts (all when null).</summary>
    public LiveSnapshot Snapshot(Func<Guid, bool>? includeProject = null, TimeSpan? topWindow = null)
    {
        var include = includeProject ?? (_ => true);
        var window = topWindow ?? DefaultTopWindow;
        var now = Minute(clock.GetUtcNow().UtcDateTime);
        var first = now - Window + TimeSpan.FromMinutes(1);
        var topSince = now - window + TimeSpan.FromMinutes(1);
        var minutes = new List<LiveMinute>(60);
        var users = new Dictionary<(Guid Project, Guid User), LiveCount>();
        var models = new Dictionary<(Guid Project, string Model), LiveCount>();
        lock (gate)
        {
            for (var minute = first; minute <= now; minute = minute.AddMinutes(1))
            {
                var total = LiveCount.Zero;
                if (buckets.TryGetValue(minute, out var bucket))
                {
                    foreach (var (project, count) in bucket.Projects)
                    {
                        if (include(project))
                        {
                            total = total.Add(count);
                        }
                    }
                    if (minute >= topSince)
                    {
                        Merge(bucket.Users, users, k => include(k.Project));
                        Merge(bucket.Models, models, k => include(k.Project));
                    }
                }
                minutes.Add(new LiveMinute(minute, total));
            }
        }
        return new LiveSnapshot(
            minutes,
            [.. users.Select(u => new LiveTop(u.Key.Project, u.Key.User.ToString(), u.Value)).OrderByDescending(t => t.Totals.Requests).ThenBy(t => t.Key, StringComparer.Ordinal).Take(5)],
            // A model is the same model in every project: rank it across the visible ones.
            [.. models.GroupBy(m => m.Key.Model)
                .Select(g => new LiveTop(Guid.Empty, g.Key, g.Aggregate(LiveCount.Zero, (sum, m) => sum.Add(m.Value))))
                .OrderByDescending(t => t.Totals.Requests).ThenBy(t => t.Key, StringComparer.Ordinal).Take(5)],
            window);
    }

    static void Merge<TKey>(Dictionary<TKey, LiveCount> from, Dictionary<TKey, LiveCount> into, Func<TKey, bool> include) where TKey : notnull
    {
        foreach (var (key, count) in from)
        {
            if (include(key))
            {
                into[key] = into.GetValueOrDefault(key, LiveCount.Zero).Add(count);
            }
        }
    }

    static DateTime Minute(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    public void Dispose() => throttle.Dispose();
}
