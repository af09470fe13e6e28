using System.Text.Json;
using Keypod.Core.Configuration;
using Keypod.Core.Data;
using Keypod.Core.Keys;
using Keypod.Core.Projects;
using Microsoft.EntityFrameworkCore;
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
        projects.MapGet("/", ListAsync);
        projects.MapGet("/{projectId:guid}", GetAsync);
        projects.MapPatch("/{projectId:guid}", PatchAsync).Accepts<JsonElement>("application/json");
    }

    static async Task<IResult> CreateAsync(CreateProjectRequest request, KeypodDbContext db, KeyDirectory keys, IOptionsMonitor<KeypodOptions> options)
    {
        if (ValidateName(request.Name) is { } nameError)
        {
            return ApiErrors.BadRequest(nameError);
        }
        if (ValidateMarkup(request.MarkupPercent) is { } markupError)
        {
            return ApiErrors.BadRequest(markupError);
        }
        var project = new Project { Name = request.Name.Trim(), MarkupPercent = request.MarkupPercent };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        await keys.ReloadAsync();
        return TypedResults.Created($"/api/v1/projects/{project.Id}", ToResponse(project, options.CurrentValue));
    }

    static async Task<IResult> ListAsync(KeypodDbContext db, IOptionsMonitor<KeypodOptions> options)
    {
        var projects = await db.Projects.AsNoTracking().OrderBy(p => p.Name).ToListAsync();
        return TypedResults.Ok(projects.Select(p => ToResponse(p, options.CurrentValue)));
    }

    static async Task<IResult> GetAsync(Guid projectId, KeypodDbContext db, IOptionsMonitor<KeypodOptions> options) =>
        await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId) is { } project
            ? TypedResults.Ok(ToResponse(project, options.CurrentValue))
            : ApiErrors.NotFound("Project");

    /// <summary>Only the fields present change; <c>"markupPercent": null</c> clears the override.</summary>
    static async Task<IResult> PatchAsync(Guid projectId, JsonElement patch, KeypodDbContext db, KeyDirectory keys, IOptionsMonitor<KeypodOptions> options)
    {
        if (patch.ValueKind != JsonValueKind.Object)
        {
            return ApiErrors.BadRequest("Send a JSON object with any of name, markupPercent, disabled.");
        }
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId);
        if (project is null)
        {
            return ApiErrors.NotFound("Project");
        }
        foreach (var property in patch.EnumerateObject())
        {
            switch (property.Name)
            {
                case "name" when property.Value.ValueKind == JsonValueKind.String:
                    var name = property.Value.GetString()!;
                    if (ValidateName(name) is { } nameError)
                    {
                        return ApiErrors.BadRequest(nameError);
                    }
                    project.Name = name.Trim();
                    break;
                case "markupPercent" when property.Value.ValueKind == JsonValueKind.Null:
                    project.MarkupPercent = null;
                    break;
                case "markupPercent" when property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDecimal(out var markup):
                    if (ValidateMarkup(markup) is { } markupError)
                    {
                        return ApiErrors.BadRequest(markupError);
                    }
                    project.MarkupPercent = markup;
                    break;
                case "disabled" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    project.Disabled = property.Value.GetBoolean();
                    break;
                default:
                    return ApiErrors.BadRequest($"Unknown or invalid field '{property.Name}': send name (string), markupPercent (number or null), disabled (boolean).");
            }
        }
        await db.SaveChangesAsync();
        await keys.ReloadAsync();
        return TypedResults.Ok(ToResponse(project, options.CurrentValue));
    }

    internal static string? ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "name is required."
        : name.Trim().Length > 200 ? "name must be at most 200 characters."
        : null;

    static string? ValidateMarkup(decimal? markup) =>
        markup is < 0 or > 1000 ? "markupPercent must be between 0 and 1000." : null;

    static ProjectResponse ToResponse(Project project, KeypodOptions options) =>
        new(project.Id, project.Name, project.MarkupPercent, project.MarkupPercent ?? options.Billing.MarkupPercent, project.Disabled, project.CreatedAt);
}
