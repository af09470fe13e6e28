using Keypod.Core.Data;
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

    static async Task<IResult> CreateAsync(Guid projectId, CreateKeyRequest? request, ProjectAdministration administration)
    {
        var result = await administration.CreateProjectKeyAsync(projectId, request?.Name);
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/projects/{projectId}/keys/{result.Value!.Id}", ToResponse(result.Value))
            : ApiErrors.Failure(result);
    }

    static async Task<IResult> ListAsync(Guid projectId, KeypodDbContext db) =>
        await db.Projects.AnyAsync(p => p.Id == projectId)
            ? TypedResults.Ok(await db.ProjectKeys.AsNoTracking().Where(k => k.ProjectId == projectId).OrderBy(k => k.CreatedAt)
                .Select(k => new KeyResponse(k.Id, k.Prefix, k.Name, k.CreatedAt, k.RevokedAt)).ToListAsync())
            : ApiErrors.NotFound("Project");

    static async Task<IResult> RevokeAsync(Guid projectId, Guid keyId, ProjectAdministration administration)
    {
        var result = await administration.RevokeProjectKeyAsync(projectId, keyId);
        return result.Succeeded ? TypedResults.NoContent() : ApiErrors.Failure(result);
    }

    internal static CreatedKeyResponse ToResponse(CreatedKey key) => new(key.Id, key.Plaintext, key.Prefix, key.Name, key.CreatedAt);
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

    static async Task<IResult> CreateAsync(Guid projectId, CreateUserRequest request, ProjectAdministration administration)
    {
        var result = await administration.CreateUserAsync(projectId, request.Name, request.Email);
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/projects/{projectId}/users/{result.Value!.Id}", ToResponse(result.Value))
            : ApiErrors.Failure(result);
    }

    static async Task<IResult> ListAsync(Guid projectId, KeypodDbContext db) =>
        await db.Projects.AnyAsync(p => p.Id == projectId)
            ? TypedResults.Ok((await db.Users.AsNoTracking().Where(u => u.ProjectId == projectId).OrderBy(u => u.Name).ToListAsync()).Select(ToResponse))
            : ApiErrors.NotFound("Project");

    static async Task<IResult> GetAsync(Guid projectId, Guid userId, KeypodDbContext db) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId && u.ProjectId == projectId) is { } user
            ? TypedResults.Ok(ToResponse(user))
            : ApiErrors.NotFound("User");

    static async Task<IResult> CreateKeyAsync(Guid projectId, Guid userId, CreateKeyRequest? request, ProjectAdministration administration)
    {
        var result = await administration.CreateUserKeyAsync(projectId, userId, request?.Name);
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/projects/{projectId}/users/{userId}/keys/{result.Value!.Id}", ProjectKeysApi.ToResponse(result.Value))
            : ApiErrors.Failure(result);
    }

    static async Task<IResult> ListKeysAsync(Guid projectId, Guid userId, KeypodDbContext db) =>
        await db.Users.AnyAsync(u => u.Id == userId && u.ProjectId == projectId)
            ? TypedResults.Ok(await db.UserKeys.AsNoTracking().Where(k => k.UserId == userId).OrderBy(k => k.CreatedAt)
                .Select(k => new KeyResponse(k.Id, k.Prefix, k.Name, k.CreatedAt, k.RevokedAt)).ToListAsync())
            : ApiErrors.NotFound("User");

    static async Task<IResult> RevokeKeyAsync(Guid projectId, Guid userId, Guid keyId, ProjectAdministration administration)
    {
        var result = await administration.RevokeUserKeyAsync(projectId, userId, keyId);
        return result.Succeeded ? TypedResults.NoContent() : ApiErrors.Failure(result);
    }

    static UserResponse ToResponse(ProjectUser user) => new(user.Id, user.ProjectId, user.Name, user.Email, user.CreatedAt);
}

public sealed record AddMemberRequest(string Email, ProjectRole Role);

public sealed record MemberResponse(Guid Id, Guid ProjectId, string Email, ProjectRole Role, DateTime CreatedAt);

static class MembersApi
{
    public static void MapMembersApi(this IEndpointRouteBuilder api)
    {
        var members = api.MapGroup("/projects/{projectId:guid}/members").WithTags("Members");
        members.MapGet("/", ListAsync);
        members.MapPost("/", AddAsync);
        members.MapDelete("/{memberId:guid}", RemoveAsync);
    }

    static async Task<IResult> ListAsync(Guid projectId, KeypodDbContext db) =>
        await db.Projects.AnyAsync(p => p.Id == projectId)
            ? TypedResults.Ok(await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId).OrderBy(m => m.Email)
                .Select(m => new MemberResponse(m.Id, m.ProjectId, m.Email, m.Role, m.CreatedAt)).ToListAsync())
            : ApiErrors.NotFound("Project");

    /// <summary>Adds a member by email, or changes the role of one already there.</summary>
    static async Task<IResult> AddAsync(Guid projectId, AddMemberRequest request, ProjectAdministration administration)
    {
        var result = await administration.AddMemberAsync(projectId, request.Email, request.Role);
        if (!result.Succeeded)
        {
            return ApiErrors.Failure(result);
        }
        var member = result.Value!;
        return TypedResults.Ok(new MemberResponse(member.Id, member.ProjectId, member.Email, member.Role, member.CreatedAt));
    }

    static async Task<IResult> RemoveAsync(Guid projectId, Guid memberId, ProjectAdministration administration)
    {
        var result = await administration.RemoveMemberAsync(projectId, memberId);
        return result.Succeeded ? TypedResults.NoContent() : ApiErrors.Failure(result);
    }
}
