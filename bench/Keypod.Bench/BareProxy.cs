using System.Buffers;
using System.Net;
using System.Net.Http.Headers;

namespace Keypod.Bench;

/// <summary>
/// The floor of a .NET proxy hop on this machine: Kestrel and one pooled <see cref="HttpMessageInvoker"/>, the body read
/// and forwarded, status, content type and body copied back; no auth, no usage parsing, no ledger, no middleware. The
/// benchmark runs it beside Keypod so Keypod's cost splits into what the platform takes and what Keypod adds.
/// </summary>
static class BareProxy
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var upstream = new Uri(args.Get("upstream"));
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        });
        var app = BenchServer.Create(args.GetInt("port", 47184), context => ForwardAsync(context, invoker, upstream), inlineScheduling: false);
        await app.RunAsync();
        return 0;
    }

    static async Task ForwardAsync(HttpContext context, HttpMessageInvoker invoker, Uri upstream)
    {
        var body = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var length = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(body.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
            }
            using var request = new HttpRequestMessage(HttpMethod.Post, upstream) { Content = new ReadOnlyMemoryContent(body.AsMemory(0, length)) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
            using var response = await invoker.SendAsync(request, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await using var content = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            await content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or HttpRequestException)
        {
            context.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }
}
