using System.Security.Cryptography;
using System.Text;

namespace Keypod.Core.Keys;

/// <summary>A freshly generated key: the plaintext exists only in this value and is shown once.</summary>
public sealed record GeneratedKey(string Plaintext, string Prefix, byte[] Hash);

public static class ApiKeys
{
    public const string ProjectKeyPrefix = "kp_proj_";
    public const string UserKeyPrefix = "user_";
    public const string AdminTokenPrefix = "kp_admin_";
    public const int SecretLength = 40;
    const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static GeneratedKey NewProjectKey() => Generate(ProjectKeyPrefix);

    public static GeneratedKey NewUserKey() => Generate(UserKeyPrefix);

    public static GeneratedKey NewAdminToken() => Generate(AdminTokenPrefix);

    static GeneratedKey Generate(string prefix)
    {
        var secret = RandomNumberGenerator.GetString(Base62, SecretLength);
        var plaintext = prefix + secret;
        return new GeneratedKey(plaintext, DisplayPrefix(plaintext), Hash(plaintext));
    }

    /// <summary>The part of a key that is safe to show again: its type prefix and the first four secret characters.</summary>
    public static string DisplayPrefix(string plaintext)
    {
        var typeLength = plaintext.StartsWith(ProjectKeyPrefix, StringComparison.Ordinal) ? ProjectKeyPrefix.Length
            : plaintext.StartsWith(UserKeyPrefix, StringComparison.Ordinal) ? UserKeyPrefix.Length
            : plaintext.StartsWith(AdminTokenPrefix, StringComparison.Ordinal) ? AdminTokenPrefix.Length
            : plaintext.IndexOf('_', StringComparison.Ordinal) + 1;
        return plaintext[..Math.Min(plaintext.Length, typeLength + 4)];
    }

    public static byte[] Hash(string plaintext) => SHA256.HashData(Encoding.UTF8.GetBytes(plaintext));

    /// <summary>Hashes a key that <see cref="TryParseBearer"/> accepted (ASCII, at most 128 characters) without allocating.</summary>
    public static void Hash(ReadOnlySpan<char> wellFormedKey, Span<byte> destination)
    {
        Span<byte> ascii = stackalloc byte[128];
        var written = Encoding.ASCII.GetBytes(wellFormedKey, ascii);
        SHA256.HashData(ascii[..written], destination);
    }

    /// <summary>
    /// Splits <c>kp_proj_…:user_…</c> into its halves. Checks only the shape: whether the keys exist is the key directory's job.
    /// </summary>
    public static bool TryParseBearer(ReadOnlySpan<char> token, out ReadOnlySpan<char> projectKey, out ReadOnlySpan<char> userKey)
    {
        projectKey = default;
        userKey = default;
        var colon = token.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }
        projectKey = token[..colon];
        userKey = token[(colon + 1)..];
        return IsWellFormed(projectKey, ProjectKeyPrefix) && IsWellFormed(userKey, UserKeyPrefix);
    }

    static bool IsWellFormed(ReadOnlySpan<char> key, string prefix)
    {
        if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length < prefix.Length + 32 || key.Length > 128)
        {
            return false;
        }
        foreach (var c in key[prefix.Length..])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
