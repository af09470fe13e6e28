using Keypod.Core.Access;
using Keypod.Core.Data;
using Keypod.Core.Keys;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Core.Projects;

/// <summary>
/// Every change to projects, users, keys, members and admin tokens, in one place for the dashboard and the management API.
/// Access checks are the caller's job (<see cref="ProjectAccess"/>); validation and key-cache invalidation are done here.
/// One context per operation, so it is safe to call from a Blazor circuit.
/// </summary>
public sealed class ProjectAdministration(IDbContextFactory<KeypodDbContext> dbFactory, KeyDirectory keys)
{
    public const int MaxNameLength = 200;

    public static string? ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "name is required."
        : name.Trim().Length > MaxNameLength ? $"name must be at most {MaxNameLength} characters."
        : null;

    public static string? ValidateMarkup(decimal? markup) =>
        markup is < 0 or > 1000 ? "markupPercent must be between 0 and 1000." : null;

    public static string? ValidateEmail(string? email, bool required) =>
        string.IsNullOrWhiteSpace(email) ? (required ? "email is required." : null)
        : email.Trim().Length > 320 ? "email must be at most 320 characters."
        : !email.Contains('@', StringComparison.Ordinal) || email.Trim().Contains(' ', StringComparison.Ordinal) ? "email is not a valid address."
        : null;

    public static string KeyName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "default" : name.Trim()[..Math.Min(name.Trim().Length, MaxNameLength)];

    public async Task<OperationResult<Project>> CreateProjectAsync(string? name, decimal? markupPercent, CancellationToken cancellationToken = default)
    {
        if (ValidateName(name) is { } nameError)
        {
            return OperationResult<Project>.Invalid(nameError);
        }
        if (ValidateMarkup(markupPercent) is { } markupError)
        {
            return OperationResult<Project>.Invalid(markupError);
        }
        var project = new Project { Name = name!.Trim(), MarkupPercent = markupPercent };
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Projects.Add(project);
            await db.SaveChangesAsync(cancellationToken);
        }
        await keys.ReloadAsync(cancellationToken);
        return OperationResult<Project>.Ok(project);
    }

    public async Task<OperationResult<Project>> UpdateProjectAsync(Guid projectId, ProjectChanges changes, CancellationToken cancellationToken = default)
    {
        if (changes.Name is not null && ValidateName(changes.Name) is { } nameError)
        {
            return OperationResult<Project>.Invalid(nameError);
        }
        if (changes.SetMarkup && ValidateMarkup(changes.MarkupPercent) is { } markupError)
        {
            return OperationResult<Project>.Invalid(markupError);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            return OperationResult<Project>.NotFound("Project");
        }
        if (changes.Name is not null)
        {
            project.Name = changes.Name.Trim();
        }
        if (changes.SetMarkup)
        {
            project.MarkupPercent = changes.MarkupPercent;
        }
        if (changes.Disabled is { } disabled)
        {
            project.Disabled = disabled;
        }
        await db.SaveChangesAsync(cancellationToken);
        await keys.ReloadAsync(cancellationToken);
        return OperationResult<Project>.Ok(project);
    }

    public async Task<OperationResult<ProjectUser>> CreateUserAsync(Guid projectId, string? name, string? email, CancellationToken cancellationToken = default)
    {
        if (ValidateName(name) is { } nameError)
        {
            return OperationResult<ProjectUser>.Invalid(nameError);
        }
        if (email is { Length: > 320 })
        {
            return OperationResult<ProjectUser>.Invalid("email must be at most 320 characters.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
        {
            return OperationResult<ProjectUser>.NotFound("Project");
        }
        var user = new ProjectUser { ProjectId = projectId, Name = name!.Trim(), Email = string.IsNullOrWhiteSpace(email) ? null : email.Trim() };
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<ProjectUser>.Ok(user);
    }

    public async Task<OperationResult<CreatedKey>> CreateProjectKeyAsync(Guid projectId, string? name, CancellationToken cancellationToken = default)
    {
        var generated = ApiKeys.NewProjectKey();
        var key = new ProjectKey { ProjectId = projectId, Name = KeyName(name), Prefix = generated.Prefix, Hash = generated.Hash };
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
            {
                return OperationResult<CreatedKey>.NotFound("Project");
            }
            db.ProjectKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken);
        }
        await keys.ReloadAsync(cancellationToken);
        return OperationResult<CreatedKey>.Ok(new CreatedKey(key.Id, generated.Plaintext, key.Prefix, key.Name, key.CreatedAt));
    }

    public async Task<OperationResult<CreatedKey>> CreateUserKeyAsync(Guid projectId, Guid userId, string? name, CancellationToken cancellationToken = default)
    {
        var generated = ApiKeys.NewUserKey();
        var key = new UserKey { ProjectId = projectId, UserId = userId, Name = KeyName(name), Prefix = generated.Prefix, Hash = generated.Hash };
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Users.AnyAsync(u => u.Id == userId && u.ProjectId == projectId, cancellationToken))
            {
                return OperationResult<CreatedKey>.NotFound("User");
            }
            db.UserKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken);
        }
        await keys.ReloadAsync(cancellationToken);
        return OperationResult<CreatedKey>.Ok(new CreatedKey(key.Id, generated.Plaintext, key.Prefix, key.Name, key.CreatedAt));
    }

    /// <summary>Revoking an already revoked key succeeds and keeps its first revocation time.</summary>
    public async Task<OperationResult<bool>> RevokeProjectKeyAsync(Guid projectId, Guid keyId, CancellationToken cancellationToken = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.ProjectKeys.AnyAsync(k => k.Id == keyId && k.ProjectId == projectId, cancellationToken))
            {
                return OperationResult<bool>.NotFound("Key");
            }
            var now = DateTime.UtcNow;
            await db.ProjectKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, now), cancellationToken);
        }
        await keys.ReloadAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }

    public async Task<OperationResult<bool>> RevokeUserKeyAsync(Guid projectId, Guid userId, Guid keyId, CancellationToken cancellationToken = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.UserKeys.AnyAsync(k => k.Id == keyId && k.UserId == userId && k.ProjectId == projectId, cancellationToken))
            {
                return OperationResult<bool>.NotFound("Key");
            }
            var now = DateTime.UtcNow;
            await db.UserKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, now), cancellationToken);
        }
        await keys.ReloadAsync(cancellationToken);
        return OperationResult<bool>.Ok(true);
    }

    /// <summary>Adds a member, or changes the role of one who is already there.</summary>
    public async Task<OperationResult<ProjectMember>> AddMemberAsync(Guid projectId, string? email, ProjectRole role, CancellationToken cancellationToken = default)
    {
        if (ValidateEmail(email, required: true) is { } emailError)
        {
            return OperationResult<ProjectMember>.Invalid(emailError);
        }
        var normalized = Actor.NormalizeEmail(email)!;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
        {
            return OperationResult<ProjectMember>.NotFound("Project");
        }
        var member = await db.ProjectMembers.FirstOrDefaultAsync(m => m.ProjectId == projectId && m.Email == normalized, cancellationToken);
        if (member is null)
        {
            member = new ProjectMember { ProjectId = projectId, Email = normalized, Role = role };
            db.ProjectMembers.Add(member);
        }
        member.Role = role;
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<ProjectMember>.Ok(member);
    }

    public async Task<OperationResult<bool>> RemoveMemberAsync(Guid projectId, Guid memberId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var removed = await db.ProjectMembers.Where(m => m.Id == memberId && m.ProjectId == projectId).ExecuteDeleteAsync(cancellationToken);
        return removed == 0 ? OperationResult<bool>.NotFound("Member") : OperationResult<bool>.Ok(true);
    }

    public async Task<OperationResult<CreatedKey>> CreateAdminTokenAsync(string? name, string createdBy, CancellationToken cancellationToken = default)
    {
        if (ValidateName(name) is { } nameError)
        {
            return OperationResult<CreatedKey>.Invalid(nameError);
        }
        var generated = ApiKeys.NewAdminToken();
        var token = new AdminApiToken { Name = name!.Trim(), Prefix = generated.Prefix, Hash = generated.Hash, CreatedBy = createdBy };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AdminApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return OperationResult<CreatedKey>.Ok(new CreatedKey(token.Id, generated.Plaintext, token.Prefix, token.Name, token.CreatedAt));
    }

    public async Task<OperationResult<bool>> RevokeAdminTokenAsync(Guid tokenId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.AdminApiTokens.AnyAsync(t => t.Id == tokenId, cancellationToken))
        {
            return OperationResult<bool>.NotFound("Token");
        }
        var now = DateTime.UtcNow;
        await db.AdminApiTokens.Where(t => t.Id == tokenId && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken);
        return OperationResult<bool>.Ok(true);
    }
}
