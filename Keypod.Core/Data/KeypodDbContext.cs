using Keypod.Core.Access;
using Keypod.Core.Ledger;
using Keypod.Core.Pricing;
using Keypod.Core.Projects;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Core.Data;

public sealed class KeypodDbContext(DbContextOptions<KeypodDbContext> options) : DbContext(options)
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ProjectKey> ProjectKeys => Set<ProjectKey>();
    public DbSet<ProjectUser> Users => Set<ProjectUser>();
    public DbSet<UserKey> UserKeys => Set<UserKey>();
    public DbSet<UsageRecord> UsageRecords => Set<UsageRecord>();
    public DbSet<UsageRollup> UsageRollups => Set<UsageRollup>();
    public DbSet<UsageUserDay> UsageUserDays => Set<UsageUserDay>();
    public DbSet<UsageModelDay> UsageModelDays => Set<UsageModelDay>();
    public DbSet<UsageProjectDay> UsageProjectDays => Set<UsageProjectDay>();
    public DbSet<UsageUserMonth> UsageUserMonths => Set<UsageUserMonth>();
    public DbSet<UsageModelMonth> UsageModelMonths => Set<UsageModelMonth>();
    public DbSet<CatalogModel> CatalogModels => Set<CatalogModel>();
    public DbSet<ModelPrice> ModelPrices => Set<ModelPrice>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<LocalAdmin> LocalAdmins => Set<LocalAdmin>();
    public DbSet<AdminApiToken> AdminApiTokens => Set<AdminApiToken>();
    public DbSet<LoginThrottle> LoginThrottles => Set<LoginThrottle>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(KeypodDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Money: 28 significant digits, exact; SQLite stores it as TEXT and EF sums it with its decimal aggregate.
        configurationBuilder.Properties<decimal>().HavePrecision(28, 18);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}
