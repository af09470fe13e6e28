using Keypod.Core.Ledger;
using Keypod.Core.Projects;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Keypod.Core.Data;

sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.Property(p => p.Name).HasMaxLength(200);
        builder.HasMany(p => p.Keys).WithOne().HasForeignKey(k => k.ProjectId);
        builder.HasMany(p => p.Users).WithOne().HasForeignKey(u => u.ProjectId);
    }
}

sealed class ProjectKeyConfiguration : IEntityTypeConfiguration<ProjectKey>
{
    public void Configure(EntityTypeBuilder<ProjectKey> builder)
    {
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.Prefix).HasMaxLength(32);
        builder.Property(k => k.Hash).HasMaxLength(32);
        builder.HasIndex(k => k.Hash).IsUnique();
    }
}

sealed class ProjectUserConfiguration : IEntityTypeConfiguration<ProjectUser>
{
    public void Configure(EntityTypeBuilder<ProjectUser> builder)
    {
        builder.ToTable("Users");
        builder.Property(u => u.Name).HasMaxLength(200);
        builder.Property(u => u.Email).HasMaxLength(320);
        builder.HasMany(u => u.Keys).WithOne().HasForeignKey(k => k.UserId);
    }
}

sealed class UserKeyConfiguration : IEntityTypeConfiguration<UserKey>
{
    public void Configure(EntityTypeBuilder<UserKey> builder)
    {
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.Prefix).HasMaxLength(32);
        builder.Property(k => k.Hash).HasMaxLength(32);
        builder.HasIndex(k => k.Hash).IsUnique();
        builder.HasIndex(k => k.ProjectId);
    }
}

sealed class UsageRecordConfiguration : IEntityTypeConfiguration<UsageRecord>
{
    public void Configure(EntityTypeBuilder<UsageRecord> builder)
    {
        builder.Property(r => r.RequestId).HasMaxLength(40);
        builder.HasIndex(r => r.RequestId).IsUnique();
        builder.Property(r => r.Endpoint).HasMaxLength(40);
        builder.Property(r => r.Model).HasMaxLength(200);
        builder.Property(r => r.ServedModel).HasMaxLength(200);
        builder.Property(r => r.Provider).HasMaxLength(100);
        builder.Property(r => r.GenerationId).HasMaxLength(100);
        builder.Property(r => r.ErrorMessage).HasMaxLength(1000);
        builder.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(24);
        builder.Property(r => r.CostSource).HasConversion<string>().HasMaxLength(16);
        // The request log pages newest-first per project (and per user); /v1/generation looks rows up by generation id.
        builder.HasIndex(r => new { r.ProjectId, r.Id });
        builder.HasIndex(r => new { r.ProjectId, r.UserId, r.Id });
        builder.HasIndex(r => r.GenerationId);
        // Cost resolution finds the few rows still pending or unpriced. Partial indexes: the common row (priced from the
        // response) costs no index insert here, and queries that name the state as a literal use them.
        builder.HasIndex(r => r.CreatedAt, "IX_UsageRecords_Pending").HasFilter("\"CostSource\" = 'Pending'");
        builder.HasIndex(r => r.CreatedAt, "IX_UsageRecords_Unpriced").HasFilter("\"CostSource\" = 'Unpriced'");
    }
}

sealed class UsageRollupConfiguration : IEntityTypeConfiguration<UsageRollup>
{
    public void Configure(EntityTypeBuilder<UsageRollup> builder)
    {
        builder.HasKey(r => new { r.ProjectId, r.Day, r.UserId, r.Model });
        builder.Property(r => r.Model).HasMaxLength(200);
    }
}

// Coarser rollups for the billing reports: a month of a busy project is ~100 k UsageRollups rows but ~7 k of these.
sealed class UsageUserDayConfiguration : IEntityTypeConfiguration<UsageUserDay>
{
    public void Configure(EntityTypeBuilder<UsageUserDay> builder) => builder.HasKey(r => new { r.ProjectId, r.Day, r.UserId });
}

sealed class UsageModelDayConfiguration : IEntityTypeConfiguration<UsageModelDay>
{
    public void Configure(EntityTypeBuilder<UsageModelDay> builder)
    {
        builder.HasKey(r => new { r.ProjectId, r.Day, r.Model });
        builder.Property(r => r.Model).HasMaxLength(200);
    }
}

sealed class UsageProjectDayConfiguration : IEntityTypeConfiguration<UsageProjectDay>
{
    public void Configure(EntityTypeBuilder<UsageProjectDay> builder) => builder.HasKey(r => new { r.ProjectId, r.Day });
}

// Statements read a whole month; Day holds the month's first day.
sealed class UsageUserMonthConfiguration : IEntityTypeConfiguration<UsageUserMonth>
{
    public void Configure(EntityTypeBuilder<UsageUserMonth> builder)
    {
        builder.HasKey(r => new { r.ProjectId, r.Day, r.UserId });
        builder.Property(r => r.Day).HasColumnName("Month");
    }
}

sealed class UsageModelMonthConfiguration : IEntityTypeConfiguration<UsageModelMonth>
{
    public void Configure(EntityTypeBuilder<UsageModelMonth> builder)
    {
        builder.HasKey(r => new { r.ProjectId, r.Day, r.Model });
        builder.Property(r => r.Day).HasColumnName("Month");
        builder.Property(r => r.Model).HasMaxLength(200);
    }
}
