using Keypod.Core.Data;
using Keypod.Core.Keys;
using Keypod.Core.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Proxy;

/// <summary>The OpenRouter-compatible surface under <c>/v1</c>.</summary>
static class InferenceApi
{
    public static void MapInferenceApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").ExcludeFromDescription();
        v1.MapPost("/chat/completions", (HttpContext context, InferenceForwarder forwarder) => forwarder.ForwardAsync(context, "chat/completions"));
        v1.MapPost("/completions", (HttpContext context, InferenceForwarder forwarder) => forwarder.ForwardAsync(context, "completions"));
        v1.MapPost("/embeddings", (HttpContext context, InferenceForwarder forwarder) => forwarder.ForwardAsync(context, "embeddings"));
        v1.MapGet("/models", ModelsEndpoint.GetAsync);
        v1.MapGet("/generation", GetGenerationAsync);
        v1.MapGet("/key", GetKeyAsync);
        v1.MapGet("/auth/key", GetKeyAsync);
        v1.MapFallback((HttpContext context) => OpenRouterError.Result(
            HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsPost(context.Request.Method) ? 404 : 405,
            $"Keypod does not serve {context.Request.Method} {context.Request.Path}."));
    }

    static async Task<IResult> GetGenerationAsync(HttpContext context, string? id, KeyDirectory keys, KeypodDbContext db)
    {
        if (Authenticate(context, keys, out var caller) is { } failure)
        {
            return failure;
        }
        if (string.IsNullOrWhiteSpace(id))
        {
            return OpenRouterError.Result(400, "Pass the generation id as ?id=gen-….");
        }
        var record = await db.UsageRecords.AsNoTracking()
            .Where(r => r.UserId == caller.UserId && (r.GenerationId == id || r.RequestId == id))
            .OrderBy(r => r.Id)
            .FirstOrDefaultAsync(context.RequestAborted);
        if (record is null)
        {
            return OpenRouterError.Result(404, $"Generation {id} not found for this key.");
        }
        return TypedResults.Ok(new
        {
            data = new
            {
                id = record.GenerationId ?? record.RequestId,
                keypod_request_id = record.RequestId,
                total_cost = record.BilledUsd,
                usage = record.BilledUsd,
                upstream_inference_cost = record.UpstreamCostUsd,
                cost_source = record.CostSource,
                is_byok = record.IsByok,
                model = record.ServedModel ?? record.Model,
                provider_name = record.Provider,
                streamed = record.Stream,
                cancelled = record.Outcome == Outcome.ClientAborted,
                status = record.Status,
                tokens_prompt = record.PromptTokens,
                tokens_completion = record.CompletionTokens,
                native_tokens_cached = record.CachedTokens,
                native_tokens_reasoning = record.ReasoningTokens,
                latency = record.TimeToFirstTokenMs,
                generation_time = record.LatencyMs,
                created_at = record.CreatedAt,
            },
        });
    }

    static async Task<IResult> GetKeyAsync(HttpContext context, KeyDirectory keys, KeypodDbContext db)
    {
        if (Authenticate(context, keys, out var caller) is { } failure)
        {
            return failure;
        }
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var weekStart = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var days = await db.UsageUserDays.AsNoTracking()
            .Where(r => r.ProjectId == caller.ProjectId && r.UserId == caller.UserId)
            .GroupBy(r => r.Day)
            .Select(g => new { Day = g.Key, Billed = g.Sum(r => r.BilledUsd) })
            .ToListAsync(context.RequestAborted);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == caller.UserId).Select(u => u.Name).FirstOrDefaultAsync(context.RequestAborted);
        var key = await db.UserKeys.AsNoTracking().Where(k => k.Id == caller.UserKeyId).Select(k => k.Prefix).FirstOrDefaultAsync(context.RequestAborted);
        return TypedResults.Ok(new
        {
            data = new
            {
                label = $"{user} ({key}…)",
                limit = (decimal?)null,
                limit_remaining = (decimal?)null,
                limit_reset = (string?)null,
                usage = days.Sum(d => d.Billed),
                usage_daily = days.Where(d => d.Day == today).Sum(d => d.Billed),
                usage_weekly = days.Where(d => d.Day >= weekStart).Sum(d => d.Billed),
                usage_monthly = days.Where(d => d.Day >= monthStart).Sum(d => d.Billed),
                is_free_tier = false,
                is_provisioning_key = false,
            },
        });
    }

    static IResult? Authenticate(HttpContext context, KeyDirectory keys, out Caller caller)
    {
        var failure = keys.Authenticate(context.Request.Headers.Authorization.ToString(), out var found);
        caller = found!;
        return failure switch
        {
            AuthFailure.None => null,
            AuthFailure.ProjectDisabled => OpenRouterError.Result(403, "This project is disabled."),
            _ => OpenRouterError.Result(401, "Missing or invalid Keypod key. Send Authorization: Bearer <project_key>:<user_key>."),
        };
    }
}
