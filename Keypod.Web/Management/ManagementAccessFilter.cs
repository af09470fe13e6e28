using Keypod.Core.Access;
using Keypod.Web.Auth;
using Microsoft.AspNetCore.Antiforgery;

namespace Keypod.Web.Management;

/// <summary>Marks a management route without a project id that project members may call too (it filters its own output).</summary>
sealed class MembersMayCallAttribute : Attribute;

/// <summary>
/// Runs on every management route. A route with a <c>{projectId}</c> is answered with 404 for a project the caller cannot see and
/// 403 for a change by a viewer; any other route is for platform admins unless marked <see cref="MembersMayCallAttribute"/>.
/// A change made with the dashboard cookie must carry an antiforgery token (bearer tokens are not sent by browsers on their own,
/// so they need none).
/// </summary>
sealed class ManagementAccessFilter(ProjectAccess access, IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var changesData = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method));
        if (changesData && http.User.Identity?.AuthenticationType != ManagementBearerHandler.SchemeName
            && !await antiforgery.IsRequestValidAsync(http))
        {
            return Proxy.OpenRouterError.Result(403,
                "A change made with the dashboard session needs an antiforgery token: GET /account/antiforgery and send it in the header it names.");
        }

        var actor = KeypodClaims.ToActor(http.User);
        if (actor.IsPlatformAdmin)
        {
            return await next(context);
        }
        if (http.Request.RouteValues.TryGetValue("projectId", out var raw) && Guid.TryParse(raw?.ToString(), out var projectId))
        {
            var level = await access.LevelAsync(actor, projectId, http.RequestAborted);
            if (level == AccessLevel.None)
            {
                return ApiErrors.NotFound("Project");
            }
            if (changesData && level != AccessLevel.Manage)
            {
                return Proxy.OpenRouterError.Result(403, "Viewers may only read this project; ask an owner for changes.");
            }
            return await next(context);
        }
        if (!changesData && http.GetEndpoint()?.Metadata.GetMetadata<MembersMayCallAttribute>() is not null)
        {
            return await next(context);
        }
        return Proxy.OpenRouterError.Result(403, "Only platform admins may do this.");
    }
}
