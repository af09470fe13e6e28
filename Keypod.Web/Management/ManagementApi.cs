namespace Keypod.Web.Management;

/// <summary>The management REST API under <c>/api/v1</c>, for automation; every route requires a platform admin.</summary>
static class ManagementApi
{
    public const string Policy = "Management";

    public static void MapManagementApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policy).DisableAntiforgery();
        api.MapProjectsApi();
        api.MapProjectKeysApi();
        api.MapUsersApi();
        api.MapRequestsApi();
        api.MapUsageApi();
        api.MapStatementsApi();
    }
}

static class ApiErrors
{
    public static IResult NotFound(string what) => Proxy.OpenRouterError.Result(404, what + " not found.");

    public static IResult BadRequest(string message) => Proxy.OpenRouterError.Result(400, message);
}
