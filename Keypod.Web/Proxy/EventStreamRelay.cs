using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Keypod.Core.Ledger;
using Keypod.Core.Usage;

namespace Keypod.Web.Proxy;

/// <summary>
/// Relays an upstream SSE stream to the client. Every complete event read is written and flushed at once;
/// comment lines pass untouched; only data events that carry <c>usage</c> or <c>error</c> (and the first one, for
/// the generation id) are parsed. The usage chunk may be rewritten to show the billed cost, and the final
/// <c>[DONE]</c> waits for the ledger commit.
/// </summary>
sealed class EventStreamRelay(Exchange exchange, UsageLedger ledger, Func<Exchange, ReadOnlySpan<byte>, ResponseFacts, byte[]?> rewriteCost)
{
    const int MaxHeldEventBytes = 16 * 1024 * 1024;
    static readonly byte[] DonePayload = "[DONE]"u8.ToArray();

    readonly PipeWriter client = exchange.Context.Response.BodyWriter;
    bool sawDataEvent;
    int status;

    public ResponseFacts Facts { get; } = new();
    public bool Recorded => exchange.Recorded;

    public async Task<Outcome> RunAsync(Stream upstream, CancellationTokenSource upstreamCancellation, HttpResponseMessage response)
    {
        status = (int)response.StatusCode;
        var idleTimeout = exchange.Settings.Proxy.IdleTimeout;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var held = 0;
        try
        {
            while (true)
            {
                if (held == buffer.Length)
                {
                    if (buffer.Length >= MaxHeldEventBytes)
                    {
                        // An event this large is not worth holding for: pass it on as it is.
                        await WriteAsync(buffer.AsMemory(0, held));
                        held = 0;
                    }
                    else
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, held).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }
                upstreamCancellation.CancelAfter(idleTimeout);
                var read = await upstream.ReadAsync(buffer.AsMemory(held), upstreamCancellation.Token);
                if (read == 0)
                {
                    if (held > 0)
                    {
                        await WriteAsync(buffer.AsMemory(0, held));
                    }
                    break;
                }
                var total = held + read;
                var consumed = await RelayCompleteEventsAsync(buffer.AsMemory(0, total));
                held = total - consumed;
                buffer.AsSpan(consumed, held).CopyTo(buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Facts.ErrorMessage is null ? Outcome.Completed : Outcome.MidstreamError;
    }

    /// <summary>
    /// Writes every complete event in <paramref name="data"/>, each as its own flushed write (events that arrived
    /// together are not merged); returns how many bytes that was.
    /// </summary>
    async Task<int> RelayCompleteEventsAsync(Memory<byte> data)
    {
        var eventStart = 0;
        while (NextEventEnd(data.Span, eventStart) is var eventEnd and > 0)
        {
            var (payloadOffset, payloadLength) = DataPayload(data.Span[eventStart..eventEnd]);
            var payload = data.Span.Slice(eventStart + payloadOffset, payloadLength);
            byte[]? replacement = null;
            if (!payload.IsEmpty)
            {
                if (!sawDataEvent)
                {
                    exchange.MarkFirstToken();
                }
                if (payload.SequenceEqual(DonePayload))
                {
                    // The finished row is durable (journalled) before the client can see the stream end.
                    Commit();
                }
                else if (!sawDataEvent || payload.IndexOf("\"usage\""u8) >= 0 || payload.IndexOf("\"error\""u8) >= 0)
                {
                    replacement = Inspect(data.Span[eventStart..eventEnd], payloadOffset, payload);
                }
                sawDataEvent = true;
            }
            await WriteAsync(replacement is null ? data[eventStart..eventEnd] : replacement);
            eventStart = eventEnd;
        }
        return eventStart;
    }

    /// <summary>Parses a data event; returns replacement bytes for the whole event when its cost is rewritten.</summary>
    byte[]? Inspect(ReadOnlySpan<byte> wholeEvent, int payloadOffset, ReadOnlySpan<byte> payload)
    {
        var chunk = new ResponseFacts();
        if (!ResponseScanner.Scan(payload, chunk))
        {
            return null;
        }
        if (Facts.GenerationId is null && chunk.GenerationId is not null)
        {
            Facts.GenerationId = chunk.GenerationId;
            exchange.Apply(Facts);
        }
        Facts.Model = chunk.Model ?? Facts.Model;
        Facts.Provider = chunk.Provider ?? Facts.Provider;
        Facts.ErrorMessage = chunk.ErrorMessage ?? Facts.ErrorMessage;
        Facts.ErrorCode = chunk.ErrorCode ?? Facts.ErrorCode;
        if (!exchange.Context.Response.HasStarted && Facts.GenerationId is { } id && !exchange.Context.Response.Headers.ContainsKey("X-Generation-Id"))
        {
            exchange.Context.Response.Headers["X-Generation-Id"] = id;
        }
        if (chunk.Usage is null)
        {
            return null;
        }

        // Usage is read from whichever chunk carries it; a repeated finish chunk is handled idempotently.
        Facts.Usage = chunk.Usage;
        exchange.Apply(Facts);
        exchange.Price(Facts, status);
        var rewritten = rewriteCost(exchange, payload, chunk);
        if (rewritten is null)
        {
            return null;
        }
        var output = new byte[wholeEvent.Length - payload.Length + rewritten.Length];
        wholeEvent[..payloadOffset].CopyTo(output);
        rewritten.CopyTo(output.AsSpan(payloadOffset));
        wholeEvent[(payloadOffset + payload.Length)..].CopyTo(output.AsSpan(payloadOffset + rewritten.Length));
        return output;
    }

    void Commit()
    {
        if (exchange.Recorded)
        {
            return;
        }
        exchange.Apply(Facts);
        exchange.Price(Facts, status);
        exchange.Finish(status, Facts.ErrorMessage is null ? Outcome.Completed : Outcome.MidstreamError,
            exchange.Record.CostSource, ledger, Facts.ErrorMessage);
    }

    /// <summary>Ends a broken stream the way OpenRouter ends one: an error chunk, then <c>[DONE]</c>.</summary>
    public async Task WriteErrorEventAsync(int code, string message)
    {
        if (exchange.Context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        var envelope = OpenRouterError.Envelope(code, message);
        var chunk = $"data: {{\"id\":{Quote(Facts.GenerationId)},\"object\":\"chat.completion.chunk\",\"model\":{Quote(Facts.Model)}," +
            $"{envelope[1..^1]},\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"\"}},\"finish_reason\":\"error\"}}]}}\n\n";
        try
        {
            await WriteAsync(Encoding.UTF8.GetBytes(chunk));
            exchange.Apply(Facts);
            exchange.Price(Facts, status);
            exchange.Finish(status, code == 504 ? Outcome.UpstreamTimeout : Outcome.UpstreamError, exchange.Record.CostSource, ledger, message);
            await WriteAsync("data: [DONE]\n\n"u8.ToArray());
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
        }
    }

    static string Quote(string? value) => value is null ? "null" : System.Text.Json.JsonSerializer.Serialize(value);

    async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        client.Write(bytes.Span);
        await FlushAsync();
    }

    async ValueTask FlushAsync()
    {
        var result = await client.FlushAsync(exchange.Context.RequestAborted);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client disconnected.", exchange.Context.RequestAborted);
        }
    }

    /// <summary>The index just past the blank line that ends the event starting at <paramref name="start"/>, or −1.</summary>
    static int NextEventEnd(ReadOnlySpan<byte> data, int start)
    {
        var position = start;
        while (true)
        {
            var newline = data[position..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return -1;
            }
            var next = position + newline + 1;
            if (next < data.Length && data[next] == (byte)'\n')
            {
                return next + 1;
            }
            if (next + 1 < data.Length && data[next] == (byte)'\r' && data[next + 1] == (byte)'\n')
            {
                return next + 2;
            }
            position = next;
        }
    }

    /// <summary>Where the value of an event's first <c>data:</c> line lies in it (length 0 for comments and other fields).</summary>
    static (int Offset, int Length) DataPayload(ReadOnlySpan<byte> wholeEvent)
    {
        if (!wholeEvent.StartsWith("data:"u8))
        {
            return (0, 0);
        }
        var offset = wholeEvent.Length > 5 && wholeEvent[5] == (byte)' ' ? 6 : 5;
        var line = wholeEvent[offset..];
        var end = line.IndexOf((byte)'\n');
        line = end >= 0 ? line[..end] : line;
        return (offset, line.TrimEnd((byte)'\r').Length);
    }
}
