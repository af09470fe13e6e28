using System.Text.Json;

namespace Keypod.Web.Proxy;

/// <summary>Keypod's own errors, in OpenRouter's envelope so every SDK parses them: <c>{"error":{"code":..,"message":..}}</c>.</summary>
static class OpenRouterError
{
    public static Task WriteAsync(HttpContext context, int status, string message, bool retryable = true)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (!retryable)
        {
            // OpenAI SDKs retry 5xx by default; this tells them not to, where a retry could bill twice.
            context.Response.Headers["x-should-retry"] = "false";
        }
        return context.Response.WriteAsync(Envelope(status, message), context.RequestAborted);
    }

    public static string Envelope(int code, string message) =>
        JsonSerializer.Serialize(new ErrorEnvelope(new ErrorBody(code, message)), ProxyJsonContext.Default.ErrorEnvelope);

    public static IResult Result(int status, string message) =>
        TypedResults.Content(Envelope(status, message), "application/json", statusCode: status);
}

sealed record ErrorEnvelope(ErrorBody Error);

sealed record ErrorBody(int Code, string Message);
