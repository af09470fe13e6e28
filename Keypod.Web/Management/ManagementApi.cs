namespace Keypod.Web.Management;

/// <summary>
/// The management REST API under <c>/api/v1</c>, for automation: the master key and admin API tokens may do everything, a signed-in
/// dashboard member only what their project roles allow (<see cref="ManagementAccessFilter"/>).
/// </summary>
static class ManagementApi
{
    public const string Policy = "Management";

    public static void MapManagementApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policy).DisableAntiforgery().AddEndpointFilter<ManagementAccessFilter>();
        api.MapProjectsApi();
        api.MapProjectKeysApi();
        api.MapUsersApi();
        api.MapMembersApi();
        api.MapRequestsApi();
        api.MapUsageApi();
        api.MapStatementsApi();
    }
}

static class ApiErrors
{
    public static IResult NotFound(string what) => Proxy.OpenRouterError.Result(404, what + " not found.");

    public static IResult BadRequest(string message) => Proxy.OpenRouterError.Result(400, message);

    /// <summary>A failed <see cref="Keypod.Core.Projects.OperationResult{T}"/> as the API answers it.</summary>
    public static IResult Failure<T>(Keypod.Core.Projects.OperationResult<T> result) =>
        result.Status == Keypod.Core.Projects.OperationStatus.NotFound
            ? Proxy.OpenRouterError.Result(404, result.Error!)
            : Proxy.OpenRouterError.Result(400, result.Error!);
}
