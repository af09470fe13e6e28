using Keypod.Core.Access;
using Keypod.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Components.Pages.Docs;

/// <summary>The key a signed-in reader's snippets show: display prefixes only, the secrets are never stored in the clear.</summary>
public sealed record ReaderKey(string ProjectName, string Bearer)
{
    /// <summary>
    /// The first project (by name) the actor sees that has an active project key, with the actor's own active user key in
    /// it when their email matches a project user; null for people without such a project.
    /// </summary>
    public static async Task<ReaderKey?> FindAsync(IDbContextFactory<KeypodDbContext> dbFactory, Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var project = await ProjectAccess.VisibleProjects(db, actor).AsNoTracking()
            .Where(p => !p.Disabled && db.ProjectKeys.Any(k => k.ProjectId == p.Id && k.RevokedAt == null))
            .OrderBy(p => p.Name)
            .Select(p => new { p.Id, p.Name })
            .FirstOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            return null;
        }
        var projectKeys = await db.ProjectKeys.AsNoTracking()
            .Where(k => k.ProjectId == project.Id && k.RevokedAt == null)
            .Select(k => new { k.Prefix, k.CreatedAt })
            .ToListAsync(cancellationToken);
        var projectPrefix = projectKeys.MaxBy(k => k.CreatedAt)!.Prefix;
        string? userPrefix = null;
        if (actor.NormalizedEmail is { } email)
        {
            var userKeys = await db.UserKeys.AsNoTracking()
                .Where(k => k.ProjectId == project.Id && k.RevokedAt == null)
                .Join(db.Users.Where(u => u.Email != null && u.Email.ToLower() == email), k => k.UserId, u => u.Id, (k, u) => new { k.Prefix, k.CreatedAt })
                .ToListAsync(cancellationToken);
            userPrefix = userKeys.MaxBy(k => k.CreatedAt)?.Prefix;
        }
        return new ReaderKey(project.Name, $"{projectPrefix}…:{(userPrefix is null ? "user_xxxxxxxx" : userPrefix + "…")}");
    }
}
