using Keypod.Core.Access;
using Keypod.Core.Projects;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Keypod.Core.Data;

sealed class LocalAdminConfiguration : IEntityTypeConfiguration<LocalAdmin>
{
    public void Configure(EntityTypeBuilder<LocalAdmin> builder)
    {
        builder.Property(a => a.UserName).HasMaxLength(100);
        builder.HasIndex(a => a.UserName).IsUnique();
        builder.Property(a => a.PasswordHash).HasMaxLength(200);
    }
}

sealed class AdminApiTokenConfiguration : IEntityTypeConfiguration<AdminApiToken>
{
    public void Configure(EntityTypeBuilder<AdminApiToken> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.Property(t => t.Prefix).HasMaxLength(32);
        builder.Property(t => t.Hash).HasMaxLength(32);
        builder.HasIndex(t => t.Hash).IsUnique();
        builder.Property(t => t.CreatedBy).HasMaxLength(320);
    }
}

sealed class LoginThrottleConfiguration : IEntityTypeConfiguration<LoginThrottle>
{
    public void Configure(EntityTypeBuilder<LoginThrottle> builder)
    {
        builder.HasKey(t => t.Key);
        builder.Property(t => t.Key).HasMaxLength(500);
    }
}

sealed class ProjectMemberConfiguration : IEntityTypeConfiguration<ProjectMember>
{
    public void Configure(EntityTypeBuilder<ProjectMember> builder)
    {
        builder.Property(m => m.Email).HasMaxLength(320);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(m => new { m.ProjectId, m.Email }).IsUnique();
        builder.HasIndex(m => m.Email);
        builder.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
