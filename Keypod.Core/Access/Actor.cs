namespace Keypod.Core.Access;

/// <summary>Who performs an operation: a platform admin sees everything, anyone else only the projects their email is a member of.</summary>
public sealed record Actor(string Name, bool IsPlatformAdmin, string? Email)
{
    public string? NormalizedEmail => NormalizeEmail(Email);

    public static string? NormalizeEmail(string? email) =>
        string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();
}

public enum AccessLevel
{
    None,
    Read,
    Manage,
}
