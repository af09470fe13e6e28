using Keypod.Core.Access;
using Keypod.Core.Data;
using Keypod.Core.Projects;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Components.Pages.Projects;

public sealed record KeyRow(Guid Id, string Prefix, string Name, DateTime CreatedAt, DateTime? RevokedAt, Guid? UserId = null, string? UserName = null)
{
    public bool Active => RevokedAt is null;
}

public sealed record UserRow(Guid Id, string Name, string? Email, DateTime CreatedAt, int ActiveKeys);

public sealed record MemberRow(Guid Id, string Email, ProjectRole Role, DateTime CreatedAt);

/// <summary>Everything the project page shows, read in one context.</summary>
public sealed record ProjectView(
    Project Project, AccessLevel Access, decimal MonthToDateBilledUsd,
    List<UserRow> Users, List<KeyRow> ProjectKeys, List<KeyRow> UserKeys, List<MemberRow> Members)
{
    public bool CanManage => Access == AccessLevel.Manage;

    public static async Task<ProjectView?> LoadAsync(IDbContextFactory<KeypodDbContext> dbFactory, ProjectAccess access, Actor actor, Guid projectId)
    {
        var level = await access.LevelAsync(actor, projectId);
        if (level == AccessLevel.None)
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync();
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId);
        if (project is null)
        {
            return null;
        }
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var billed = await db.UsageRollups.AsNoTracking().Where(r => r.ProjectId == projectId && r.Day >= monthStart).SumAsync(r => r.BilledUsd);
        var users = await db.Users.AsNoTracking().Where(u => u.ProjectId == projectId).OrderBy(u => u.Name)
            .Select(u => new UserRow(u.Id, u.Name, u.Email, u.CreatedAt, u.Keys.Count(k => k.RevokedAt == null))).ToListAsync();
        var projectKeys = await db.ProjectKeys.AsNoTracking().Where(k => k.ProjectId == projectId).OrderByDescending(k => k.CreatedAt)
            .Select(k => new KeyRow(k.Id, k.Prefix, k.Name, k.CreatedAt, k.RevokedAt, null, null)).ToListAsync();
        var userKeys = await db.UserKeys.AsNoTracking().Where(k => k.ProjectId == projectId).OrderByDescending(k => k.CreatedAt)
            .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new KeyRow(k.Id, k.Prefix, k.Name, k.CreatedAt, k.RevokedAt, u.Id, u.Name))
            .ToListAsync();
        var members = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId).OrderBy(m => m.Email)
            .Select(m => new MemberRow(m.Id, m.Email, m.Role, m.CreatedAt)).ToListAsync();
        return new ProjectView(project, level, billed, users, projectKeys, userKeys, members);
    }
}
