using System.Text.Json;
using System.Security.Claims;
using Keypod.Core.Access;
using Keypod.Core.Configuration;
using Keypod.Core.Data;
using Keypod.Core.Projects;
using Microsoft.EntityFrameworkCore;
using Keypod.Web.Auth;
using Microsoft.Extensions.Options;

namespace Keypod.Web.Management;

public sealed record CreateProjectRequest(string Name, decimal? MarkupPercent);

public sealed record ProjectResponse(Guid Id, string Name, decimal? MarkupPercent, decimal EffectiveMarkupPercent, bool Disabled, DateTime CreatedAt);

static class ProjectsApi
{
    public static void MapProjectsApi(this IEndpointRouteBuilder api)
    {
        var projects = api.MapGroup("/projects").WithTags("Projects");
        projects.MapPost("/", CreateAsync);
        projects.MapGet("/", ListAsync).WithMetadata(new MembersMayCallAttribute());
        projects.MapGet("/{projectId:guid}", GetAsync);
        projects.MapPatch("/{projectId:guid}", PatchAsync).Accepts<JsonElement>("application/json");
    }

    static async Task<IResult> CreateAsync(CreateProjectRequest request, ProjectAdministration administration, IOptionsMonitor<KeypodOptions> options)
    {
        var result = await administration.CreateProjectAsync(request.Name, request.MarkupPercent);
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/projects/{result.Value!.Id}", ToResponse(result.Value, options.CurrentValue))
            : ApiErrors.Failure(result);
    }

    /// <summary>The projects the caller may see: all of them for admins, their own for members.</summary>
    static async Task<IResult> ListAsync(ClaimsPrincipal user, KeypodDbContext db, IOptionsMonitor<KeypodOptions> options)
    {
        var projects = await ProjectAccess.VisibleProjects(db, KeypodClaims.ToActor(user)).AsNoTracking().OrderBy(p => p.Name).ToListAsync();
        return TypedResults.Ok(projects.Select(p => ToResponse(p, options.CurrentValue)));
    }

    static async Task<IResult> GetAsync(Guid projectId, KeypodDbContext db, IOptionsMonitor<KeypodOptions> options) =>
        await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId) is { } project
            ? TypedResults.Ok(ToResponse(project, options.CurrentValue))
            : ApiErrors.NotFound("Project");

    /// <summary>Only the fields present change; <c>"markupPercent": null</c> clears the override.</summary>
    static async Task<IResult> PatchAsync(Guid projectId, JsonElement patch, ProjectAdministration administration, IOptionsMonitor<KeypodOptions> options)
    {
        if (patch.ValueKind != JsonValueKind.Object)
        {
            return ApiErrors.BadRequest("Send a JSON object with any of name, markupPercent, disabled.");
        }
        var changes = new ProjectChanges();
        foreach (var property in patch.EnumerateObject())
        {
            switch (property.Name)
            {
                case "name" when property.Value.ValueKind == JsonValueKind.String:
                    changes = changes with { Name = property.Value.GetString()! };
                    break;
                case "markupPercent" when property.Value.ValueKind == JsonValueKind.Null:
                    changes = changes with { SetMarkup = true, MarkupPercent = null };
                    break;
                case "markupPercent" when property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDecimal(out var markup):
                    changes = changes with { SetMarkup = true, MarkupPercent = markup };
                    break;
                case "disabled" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    changes = changes with { Disabled = property.Value.GetBoolean() };
                    break;
                default:
                    return ApiErrors.BadRequest($"Unknown or invalid field '{property.Name}': send name (string), markupPercent (number or null), disabled (boolean).");
            }
        }
        var result = await administration.UpdateProjectAsync(projectId, changes);
        return result.Succeeded ? TypedResults.Ok(ToResponse(result.Value!, options.CurrentValue)) : ApiErrors.Failure(result);
    }

    static ProjectResponse ToResponse(Project project, KeypodOptions options) =>
        new(project.Id, project.Name, project.MarkupPercent, project.MarkupPercent ?? options.Billing.MarkupPercent, project.Disabled, project.CreatedAt);
}
