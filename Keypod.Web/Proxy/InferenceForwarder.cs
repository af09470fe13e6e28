using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using Keypod.Core.Billing;
using Keypod.Core.Configuration;
using Keypod.Core.Keys;
using Keypod.Core.Ledger;
using Keypod.Core.Pricing;
using Keypod.Core.Usage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Keypod.Web.Proxy;

/// <summary>
/// Forwards one inference request to OpenRouter and records it in the ledger. Streams are relayed event by event
/// with a flush after each read; the row is committed before the client receives the stream's final
/// <c>[DONE]</c> (or a non-streaming body), so a response a client got completely is always in the ledger.
/// </summary>
sealed partial class InferenceForwarder(
    UpstreamClient upstream,
    KeyDirectory keys,
    UsageLedger ledger,
    InflightJournal journal,
    PricingCatalog catalog,
    IOptionsMonitor<KeypodOptions> options,
    ILogger<InferenceForwarder> logger)
{
    const int MaxBufferedResponseBytes = 64 * 1024 * 1024;

    public async Task ForwardAsync(HttpContext context, string upstreamPath)
    {
        var started = Stopwatch.GetTimestamp();
        var settings = options.CurrentValue;
        var authFailure = keys.Authenticate(context.Request.Headers.Authorization.ToString(), out var caller);
        if (authFailure != AuthFailure.None)
        {
            await WriteAuthFailureAsync(context, authFailure);
            return;
        }

        InferenceRequestBody? body;
        InferenceRequestBody.Failure bodyFailure;
        try
        {
            (body, bodyFailure) = await InferenceRequestBody.ReadAsync(context, settings.Proxy.MaxRequestBodyBytes);
        }
        catch (BadHttpRequestException exception)
        {
            await OpenRouterError.WriteAsync(context, exception.StatusCode, "The request body could not be read: " + exception.Message);
            return;
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            return;
        }
        if (body is null)
        {
            await WriteBodyFailureAsync(context, bodyFailure, settings.Proxy.MaxRequestBodyBytes);
            return;
        }

        using (body)
        {
            var record = new UsageRecord
            {
                RequestId = RequestIds.New(),
                CreatedAt = DateTime.UtcNow,
                ProjectId = caller!.ProjectId,
                ProjectKeyId = caller.ProjectKeyId,
                UserId = caller.UserId,
                UserKeyId = caller.UserKeyId,
                Endpoint = upstreamPath,
                Model = body.Model,
                Stream = body.Stream,
                MarkupPercent = caller.MarkupPercent,
            };
            context.Response.Headers["X-Keypod-Request-Id"] = record.RequestId;
            var exchange = new Exchange(context, record, started, settings, journal, catalog);
            try
            {
                await ForwardBodyAsync(exchange, body, upstreamPath);
            }
            finally
            {
                if (!exchange.Recorded)
                {
                    // Whatever went wrong, a request that passed authentication gets its ledger row.
                    exchange.Finish(context.Response.HasStarted ? context.Response.StatusCode : 500, Outcome.Interrupted,
                        exchange.Record.GenerationId is null ? CostSource.Unpriced : CostSource.Pending, ledger, "Keypod failed while proxying this request.");
                }
            }
        }
    }

    async Task ForwardBodyAsync(Exchange exchange, InferenceRequestBody body, string upstreamPath)
    {
        var context = exchange.Context;
        var settings = exchange.Settings;
        if (!settings.OpenRouter.HasApiKey)
        {
            LogNoUpstreamKey();
            await exchange.FailAsync(503, Outcome.UpstreamUnreachable, CostSource.None,
                "Keypod has no upstream OpenRouter key configured. The operator must set Keypod:OpenRouter:ApiKey " +
                "(environment variable Keypod__OpenRouter__ApiKey) and restart Keypod.", ledger);
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, upstream.UriFor(upstreamPath))
        {
            Content = new ReadOnlyMemoryContent(body.Bytes),
        };
        // The client's Content-Type as it came (it passed InferenceRequestBody's JSON check), without parsing it per request.
        if (!request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType is { Length: > 0 } type ? type : "application/json"))
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        ProxyHeaders.CopyToUpstream(context.Request, request, settings.OpenRouter.AuthorizationHeader);

        // Streams follow the client: when it hangs up the upstream is cancelled (providers stop generating) and the
        // cost is reconciled from /generation. A non-streaming response is read to its end either way, for its usage.
        using var upstreamCancellation = body.Stream
            ? CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted)
            : new CancellationTokenSource();
        upstreamCancellation.CancelAfter(settings.Proxy.HeadersTimeout);

        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, upstreamCancellation.Token);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            exchange.Finish(499, Outcome.ClientAborted, CostSource.Unpriced, ledger, "Client disconnected before the upstream answered.");
            return;
        }
        catch (OperationCanceledException)
        {
            await exchange.FailAsync(504, Outcome.UpstreamTimeout, CostSource.Unpriced,
                $"The upstream did not answer within {settings.Proxy.HeadersTimeout.TotalSeconds:0} seconds.", ledger, retryable: false);
            return;
        }
        catch (HttpRequestException exception)
        {
            LogUpstreamUnreachable(exception.HttpRequestError, exception.Message);
            var neverSent = exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                or HttpRequestError.SecureConnectionError;
            await exchange.FailAsync(502, Outcome.UpstreamUnreachable, neverSent ? CostSource.None : CostSource.Unpriced,
                "The upstream could not be reached: " + exception.HttpRequestError + ".", ledger, retryable: neverSent);
            return;
        }

        using (response)
        {
            var isEventStream = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
            if (isEventStream)
            {
                await RelayEventStreamAsync(exchange, response, upstreamCancellation);
            }
            else
            {
                await RelayBodyAsync(exchange, response, upstreamCancellation);
            }
        }
    }

    async Task RelayBodyAsync(Exchange exchange, HttpResponseMessage response, CancellationTokenSource upstreamCancellation)
    {
        var context = exchange.Context;
        var idleTimeout = exchange.Settings.Proxy.IdleTimeout;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        try
        {
            await using var content = await response.Content.ReadAsStreamAsync(upstreamCancellation.Token);
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxBufferedResponseBytes)
                    {
                        await RelayOversizedBodyAsync(exchange, response, content, buffer, length, upstreamCancellation);
                        return;
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                upstreamCancellation.CancelAfter(idleTimeout);
                var read = await content.ReadAsync(buffer.AsMemory(length), upstreamCancellation.Token);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
            var timedOut = exception is OperationCanceledException;
            await exchange.FailAsync(timedOut ? 504 : 502, timedOut ? Outcome.UpstreamTimeout : Outcome.UpstreamError, CostSource.Unpriced,
                timedOut ? "The upstream stopped sending its response." : "The upstream connection failed while sending its response.",
                ledger, retryable: false);
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        byte[]? rewritten = null;
        try
        {
            var bytes = buffer.AsMemory(0, length);
            var json = bytes.Span.TrimStart(" \t\r\n"u8);
            var leadingWhitespace = length - json.Length;
            var facts = new ResponseFacts();
            var readable = ResponseScanner.Scan(json, facts);
            if (!readable && facts.ErrorMessage is null)
            {
                facts.ErrorMessage = "The upstream's response is not a JSON object.";
            }

            var status = (int)response.StatusCode;
            var outcome = status >= 400 || !readable || (facts.ErrorMessage is not null && facts.Usage is null) ? Outcome.UpstreamError : Outcome.Completed;
            exchange.Apply(facts);
            exchange.Price(facts, status);
            if (ShouldRewriteCost(exchange, out var billed, out var upstreamCost))
            {
                // Leading whitespace, then the rewritten JSON, into a second pooled buffer: the body goes out in one write.
                rewritten = ArrayPool<byte>.Shared.Rent(length + ClientCostRewriter.MaxGrowth);
                var rewrittenLength = ClientCostRewriter.Rewrite(json, facts, billed, upstreamCost, rewritten.AsSpan(leadingWhitespace));
                if (rewrittenLength >= 0)
                {
                    buffer.AsSpan(0, leadingWhitespace).CopyTo(rewritten);
                    bytes = rewritten.AsMemory(0, leadingWhitespace + rewrittenLength);
                }
            }

            exchange.Finish(status, outcome, exchange.Record.CostSource, ledger, facts.ErrorMessage);
            ProxyHeaders.CopyToClient(response, context.Response, keepContentLength: false);
            AddGenerationIdHeader(context, response, facts);
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // The client left while the finished response was being written; its row is already in the ledger.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (rewritten is not null)
            {
                ArrayPool<byte>.Shared.Return(rewritten);
            }
        }
    }

    /// <summary>A body too large to hold is passed through as it arrives; its cost comes from the generation record.</summary>
    async Task RelayOversizedBodyAsync(Exchange exchange, HttpResponseMessage response, Stream content, byte[] head, int headLength,
        CancellationTokenSource upstreamCancellation)
    {
        var context = exchange.Context;
        ProxyHeaders.CopyToClient(response, context.Response, keepContentLength: true);
        var outcome = Outcome.Completed;
        try
        {
            await context.Response.Body.WriteAsync(head.AsMemory(0, headLength), context.RequestAborted);
            var facts = new ResponseFacts();
            ResponseScanner.Scan(head.AsSpan(0, headLength).TrimStart(" \t\r\n"u8), facts);
            exchange.Apply(facts);
            var chunk = new byte[64 * 1024];
            while (true)
            {
                upstreamCancellation.CancelAfter(exchange.Settings.Proxy.IdleTimeout);
                var read = await content.ReadAsync(chunk, upstreamCancellation.Token);
                if (read == 0)
                {
                    break;
                }
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, read), context.RequestAborted);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
            outcome = context.RequestAborted.IsCancellationRequested ? Outcome.ClientAborted : Outcome.UpstreamError;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
        exchange.Record.CostSource = exchange.Record.GenerationId is null ? CostSource.Unpriced : CostSource.Pending;
        exchange.Finish((int)response.StatusCode, outcome, exchange.Record.CostSource, ledger, null);
    }

    async Task RelayEventStreamAsync(Exchange exchange, HttpResponseMessage response, CancellationTokenSource upstreamCancellation)
    {
        var context = exchange.Context;
        var status = (int)response.StatusCode;
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        ProxyHeaders.CopyToClient(response, context.Response, keepContentLength: false);
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";

        var relay = new EventStreamRelay(exchange, ledger, RewriteCost);
        Outcome outcome;
        string? failure = null;
        try
        {
            await using var content = await response.Content.ReadAsStreamAsync(upstreamCancellation.Token);
            outcome = await relay.RunAsync(content, upstreamCancellation, response);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            outcome = Outcome.ClientAborted;
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
            var stalled = exception is OperationCanceledException;
            outcome = stalled ? Outcome.UpstreamTimeout : Outcome.UpstreamError;
            failure = stalled
                ? $"The upstream sent nothing for {exchange.Settings.Proxy.IdleTimeout.TotalSeconds:0} seconds; Keypod ended the stream."
                : "The upstream connection failed in the middle of the stream.";
            await relay.WriteErrorEventAsync(stalled ? 504 : 502, failure);
        }

        if (!relay.Recorded)
        {
            exchange.Apply(relay.Facts);
            exchange.Price(relay.Facts, status);
            exchange.Finish(status, outcome, exchange.Record.CostSource, ledger, failure ?? relay.Facts.ErrorMessage);
        }
    }

    byte[]? RewriteCost(Exchange exchange, ReadOnlySpan<byte> json, ResponseFacts facts) =>
        ShouldRewriteCost(exchange, out var billed, out var upstreamCost) ? ClientCostRewriter.Rewrite(json, facts, billed, upstreamCost) : null;

    /// <summary>Clients see what Keypod bills when the upstream priced the request and rewriting is on (the default).</summary>
    static bool ShouldRewriteCost(Exchange exchange, out decimal billed, out decimal upstreamCost)
    {
        var record = exchange.Record;
        billed = record.BilledUsd ?? 0m;
        upstreamCost = record.UpstreamCostUsd ?? 0m;
        return exchange.Settings.Billing.RewriteClientCost && record.CostSource == CostSource.Upstream
            && record.UpstreamCostUsd is not null && record.BilledUsd is not null;
    }

    static void AddGenerationIdHeader(HttpContext context, HttpResponseMessage response, ResponseFacts facts)
    {
        if (facts.GenerationId is { } id && !response.Headers.Contains("X-Generation-Id"))
        {
            context.Response.Headers["X-Generation-Id"] = id;
        }
    }

    static Task WriteAuthFailureAsync(HttpContext context, AuthFailure failure) => failure switch
    {
        AuthFailure.Missing => OpenRouterError.WriteAsync(context, 401,
            "No auth credentials found. Send Authorization: Bearer <project_key>:<user_key>."),
        AuthFailure.Malformed => OpenRouterError.WriteAsync(context, 401,
            "Malformed Keypod key. Send Authorization: Bearer kp_proj_…:user_… (a project key and a user key joined by a colon)."),
        AuthFailure.ProjectDisabled => OpenRouterError.WriteAsync(context, 403, "This project is disabled. Ask a Keypod admin to enable it."),
        _ => OpenRouterError.WriteAsync(context, 401,
            "Invalid Keypod key: the project key or user key is unknown or revoked, or the user does not belong to the project."),
    };

    static Task WriteBodyFailureAsync(HttpContext context, InferenceRequestBody.Failure failure, long limit) => failure switch
    {
        InferenceRequestBody.Failure.TooLarge => OpenRouterError.WriteAsync(context, 413,
            $"Request body too large: the limit is {limit} bytes (Keypod:Proxy:MaxRequestBodyBytes)."),
        InferenceRequestBody.Failure.Empty => OpenRouterError.WriteAsync(context, 400, "The request body is empty; send a JSON object."),
        InferenceRequestBody.Failure.NotAnObject => OpenRouterError.WriteAsync(context, 400, "The request body must be a JSON object."),
        _ => OpenRouterError.WriteAsync(context, 400, "The request body is not valid JSON (or not valid UTF-8)."),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "No upstream key: set Keypod:OpenRouter:ApiKey (environment Keypod__OpenRouter__ApiKey). Proxy requests fail with 503 until then.")]
    partial void LogNoUpstreamKey();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream unreachable ({Error}): {Message}")]
    partial void LogUpstreamUnreachable(HttpRequestError error, string message);
}
