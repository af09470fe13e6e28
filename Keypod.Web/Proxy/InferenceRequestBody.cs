using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;

namespace Keypod.Web.Proxy;

/// <summary>
/// A client's request body, read whole into a pooled buffer (it must be valid JSON before it goes upstream) and
/// forwarded byte for byte. Only <c>model</c> and <c>stream</c> are looked at.
/// </summary>
sealed class InferenceRequestBody : IDisposable
{
    byte[] buffer;

    InferenceRequestBody(byte[] buffer, int length, string? model, bool stream)
    {
        this.buffer = buffer;
        Length = length;
        Model = model;
        Stream = stream;
    }

    public int Length { get; }
    public string? Model { get; }
    public bool Stream { get; }
    public ReadOnlyMemory<byte> Bytes => buffer.AsMemory(0, Length);

    public enum Failure { None, TooLarge, Empty, InvalidJson, NotAnObject }

    public static async Task<(InferenceRequestBody? Body, Failure Failure)> ReadAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return (null, Failure.TooLarge);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }
        var initial = (int)Math.Clamp(context.Request.ContentLength ?? 4096, 256, limit);
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == limit)
                {
                    // One more byte than the limit allows tells "too large" apart from "exactly at the limit".
                    var probe = new byte[1];
                    if (await context.Request.Body.ReadAsync(probe, context.RequestAborted) > 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, Failure.TooLarge);
                    }
                    break;
                }
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var room = (int)Math.Min(buffer.Length, limit) - length;
                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, room), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        var failure = Inspect(buffer.AsSpan(0, length), out var model, out var stream);
        if (failure != Failure.None)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, failure);
        }
        return (new InferenceRequestBody(buffer, length, model, stream), Failure.None);
    }

    static Failure Inspect(ReadOnlySpan<byte> json, out string? model, out bool stream)
    {
        model = null;
        stream = false;
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Failure.Empty;
        }
        if (!Utf8.IsValid(json))
        {
            return Failure.InvalidJson;
        }
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Failure.NotAnObject;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped ? reader.GetString()
                        : reader.TokenType == JsonTokenType.String ? TryGetString(ref reader) : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            // Reading to the end checks that nothing but whitespace follows the object.
            while (reader.Read())
            {
            }
            return Failure.None;
        }
        catch (JsonException)
        {
            return Failure.InvalidJson;
        }
    }

    /// <summary>An escaped string can still be unreadable (a lone surrogate); the body is forwarded all the same.</summary>
    static string? TryGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }
}
