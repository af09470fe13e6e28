using System.Buffers.Binary;

namespace Keypod.Core.Ledger;

/// <summary>
/// Keypod's request ids: <c>req_</c> and 32 hex digits, 48 bits of Unix milliseconds then 80 random bits, so ids sort by
/// time and append to the ledger's unique index. Request ids are shown to clients and are not secrets: the random part
/// comes from <see cref="Random.Shared"/> (seeded once per process) rather than <see cref="Guid.CreateVersion7()"/>, which
/// reads the kernel's random source on every call, one system call per proxied request.
/// </summary>
public static class RequestIds
{
    public static string New() => New(DateTimeOffset.UtcNow);

    public static string New(DateTimeOffset now) => string.Create(36, now.ToUnixTimeMilliseconds(), static (chars, milliseconds) =>
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes[..8], milliseconds << 16);
        Random.Shared.NextBytes(bytes[6..]);
        "req_".CopyTo(chars);
        Convert.TryToHexStringLower(bytes, chars[4..], out _);
    });
}
