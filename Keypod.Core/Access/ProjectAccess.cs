using Keypod.Core.Data;
using Keypod.Core.Projects;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Core.Access;

/// <summary>What an <see cref="Actor"/> may do with a project, and which projects it sees: the one rule for pages and API alike.</summary>
public sealed class ProjectAccess(IDbContextFactory<KeypodDbContext> dbFactory)
{
    public async Task<AccessLevel> LevelAsync(Actor actor, Guid projectId, CancellationToken cancellationToken = default)
    {
        if (actor.IsPlatformAdmin)
        {
            return AccessLevel.Manage;
        }
        if (actor.NormalizedEmail is not { } email)
        {
            return AccessLevel.None;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var role = await db.ProjectMembers.AsNoTracking()
            .Where(m => m.ProjectId == projectId && m.Email == email)
            .Select(m => (ProjectRole?)m.Role)
            .FirstOrDefaultAsync(cancellationToken);
        return role switch
        {
            ProjectRole.Owner => AccessLevel.Manage,
            ProjectRole.Viewer => AccessLevel.Read,
            _ => AccessLevel.None,
        };
    }

    /// <summary>The projects the actor may see, for composing queries in one context.</summary>
    public static IQueryable<Project> VisibleProjects(KeypodDbContext db, Actor actor)
    {
        if (actor.IsPlatformAdmin)
        {
            return db.Projects;
        }
        var email = actor.NormalizedEmail;
        return email is null
            ? db.Projects.Where(_ => false)
            : db.Projects.Where(p => db.ProjectMembers.Any(m => m.ProjectId == p.Id && m.Email == email));
    }

    /// <summary>Visible projects with this UTC month's billed total from the daily rollups, by name.</summary>
    public async Task<List<ProjectSummary>> SummariesAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var projects = await VisibleProjects(db, actor).AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken);
        var ids = projects.Select(p => p.Id).ToList();
        var spend = await db.UsageRollups.AsNoTracking()
            .Where(r => r.Day >= monthStart && ids.Contains(r.ProjectId))
            .GroupBy(r => r.ProjectId)
            .Select(g => new { ProjectId = g.Key, Billed = g.Sum(r => r.BilledUsd) })
            .ToDictionaryAsync(g => g.ProjectId, g => g.Billed, cancellationToken);
        var email = actor.NormalizedEmail;
        var roles = actor.IsPlatformAdmin || email is null
            ? []
            : await db.ProjectMembers.AsNoTracking().Where(m => m.Email == email)
                .ToDictionaryAsync(m => m.ProjectId, m => m.Role, cancellationToken);
        return projects.Select(p => new ProjectSummary(p.Id, p.Name, p.MarkupPercent, p.Disabled, p.CreatedAt,
                spend.GetValueOrDefault(p.Id),
                actor.IsPlatformAdmin ? ProjectRelation.Admin
                : roles.GetValueOrDefault(p.Id) == ProjectRole.Owner ? ProjectRelation.Owner : ProjectRelation.Viewer))
            .ToList();
    }
}
