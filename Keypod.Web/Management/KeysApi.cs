using Keypod.Core.Data;
using Keypod.Core.Keys;
using Keypod.Core.Projects;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Management;

public sealed record CreateKeyRequest(string? Name);

/// <summary>The only response that ever carries a key's plaintext.</summary>
public sealed record CreatedKeyResponse(Guid Id, string Key, string Prefix, string Name, DateTime CreatedAt);

public sealed record KeyResponse(Guid Id, string Prefix, string Name, DateTime CreatedAt, DateTime? RevokedAt);

public sealed record CreateUserRequest(string Name, string? Email);

public sealed record UserResponse(Guid Id, Guid ProjectId, string Name, string? Email, DateTime CreatedAt);

static class ProjectKeysApi
{
    public static void MapProjectKeysApi(this IEndpointRouteBuilder api)
    {
        var keys = api.MapGroup("/projects/{projectId:guid}/keys").WithTags("Project keys");
        keys.MapPost("/", CreateAsync);
        keys.MapGet("/", ListAsync);
        keys.MapDelete("/{keyId:guid}", RevokeAsync);
    }

    static async Task<IResult> CreateAsync(Guid projectId, CreateKeyRequest? request, KeypodDbContext db, KeyDirectory directory)
    {
        if (!await db.Projects.AnyAsync(p => p.Id == projectId))
        {
            return ApiErrors.NotFound("Project");
        }
        var generated = ApiKeys.NewProjectKey();
        var key = new ProjectKey { ProjectId = projectId, Name = KeyName(request?.Name), Prefix = generated.Prefix, Hash = generated.Hash };
        db.ProjectKeys.Add(key);
        await db.SaveChangesAsync();
        await directory.ReloadAsync();
        return TypedResults.Created($"/api/v1/projects/{projectId}/keys/{key.Id}",
            new CreatedKeyResponse(key.Id, generated.Plaintext, key.Prefix, key.Name, key.CreatedAt));
    }

    static async Task<IResult> ListAsync(Guid projectId, KeypodDbContext db) =>
        await db.Projects.AnyAsync(p => p.Id == projectId)
            ? TypedResults.Ok(await db.ProjectKeys.AsNoTracking().Where(k => k.ProjectId == projectId).OrderBy(k => k.CreatedAt)
                .Select(k => new KeyResponse(k.Id, k.Prefix, k.Name, k.CreatedAt, k.RevokedAt)).ToListAsync())
            : ApiErrors.NotFound("Project");

    static async Task<IResult> RevokeAsync(Guid projectId, Guid keyId, KeypodDbContext db, KeyDirectory directory)
    {
        var now = DateTime.UtcNow;
        var found = await db.ProjectKeys.Where(k => k.Id == keyId && k.ProjectId == projectId).AnyAsync();
        if (!found)
        {
            return ApiErrors.NotFound("Key");
        }
        await db.ProjectKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, now));
        await directory.ReloadAsync();
        return TypedResults.NoContent();
    }

    internal static string KeyName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "default" : name.Trim()[..Math.Min(name.Trim().Length, 200)];
}

static class UsersApi
{
    public static void MapUsersApi(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/projects/{projectId:guid}/users").WithTags("Users");
        users.MapPost("/", CreateAsync);
        users.MapGet("/", ListAsync);
        users.MapGet("/{userId:guid}", GetAsync);
        users.MapPost("/{userId:guid}/keys", CreateKeyAsync);
        users.MapGet("/{userId:guid}/keys", ListKeysAsync);
        users.MapDelete("/{userId:guid}/keys/{keyId:guid}", RevokeKeyAsync);
    }

    static async Task<IResult> CreateAsync(Guid projectId, CreateUserRequest request, KeypodDbContext db)
    {
        if (!await db.Projects.AnyAsync(p => p.Id == projectId))
        {
            return ApiErrors.NotFound("Project");
        }
        if (ProjectsApi.ValidateName(request.Name) is { } error)
        {
            return ApiErrors.BadRequest(error);
        }
        if (request.Email is { Length: > 320 })
        {
            return ApiErrors.BadRequest("email must be at most 320 characters.");
        }
        var user = new ProjectUser { ProjectId = projectId, Name = request.Name.Trim(), Email = request.Email?.Trim() };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/projects/{projectId}/users/{user.Id}", ToResponse(user));
    }

    static async Task<IResult> ListAsync(Guid projectId, KeypodDbContext db) =>
        await db.Projects.AnyAsync(p => p.Id == projectId)
            ? TypedResults.Ok((await db.Users.AsNoTracking().Where(u => u.ProjectId == projectId).OrderBy(u => u.Name).ToListAsync()).Select(ToResponse))
            : ApiErrors.NotFound("Project");

    static async Task<IResult> GetAsync(Guid projectId, Guid userId, KeypodDbContext db) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId && u.ProjectId == projectId) is { } user
            ? TypedResults.Ok(ToResponse(user))
            : ApiErrors.NotFound("User");

    static async Task<IResult> CreateKeyAsync(Guid projectId, Guid userId, CreateKeyRequest? request, KeypodDbContext db, KeyDirectory directory)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId && u.ProjectId == projectId))
        {
            return ApiErrors.NotFound("User");
        }
        var generated = ApiKeys.NewUserKey();
        var key = new UserKey
        {
            ProjectId = projectId, UserId = userId, Name = ProjectKeysApi.KeyName(request?.Name), Prefix = generated.Prefix, Hash = generated.Hash,
        };
        db.UserKeys.Add(key);
        await db.SaveChangesAsync();
        await directory.ReloadAsync();
        return TypedResults.Created($"/api/v1/projects/{projectId}/users/{userId}/keys/{key.Id}",
            new CreatedKeyResponse(key.Id, generated.Plaintext, key.Prefix, key.Name, key.CreatedAt));
    }

    static async Task<IResult> ListKeysAsync(Guid projectId, Guid userId, KeypodDbContext db) =>
        await db.Users.AnyAsync(u => u.Id == userId && u.ProjectId == projectId)
            ? TypedResults.Ok(await db.UserKeys.AsNoTracking().Where(k => k.UserId == userId).OrderBy(k => k.CreatedAt)
                .Select(k => new KeyResponse(k.Id, k.Prefix, k.Name, k.CreatedAt, k.RevokedAt)).ToListAsync())
            : ApiErrors.NotFound("User");

    static async Task<IResult> RevokeKeyAsync(Guid projectId, Guid userId, Guid keyId, KeypodDbContext db, KeyDirectory directory)
    {
        if (!await db.UserKeys.AnyAsync(k => k.Id == keyId && k.UserId == userId && k.ProjectId == projectId))
        {
            return ApiErrors.NotFound("Key");
        }
        var now = DateTime.UtcNow;
        await db.UserKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, now));
        await directory.ReloadAsync();
        return TypedResults.NoContent();
    }

    static UserResponse ToResponse(ProjectUser user) => new(user.Id, user.ProjectId, user.Name, user.Email, user.CreatedAt);
}
