namespace Keypod.Core.Access;

/// <summary>A dashboard account with a local password: the way in before (or without) an identity provider. Always a platform admin.</summary>
public sealed class LocalAdmin
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string UserName { get; init; }
    public required string PasswordHash { get; set; }
    public DateTime CreatedAt { get; init; } = DateTime.UtcNow;
    public DateTime PasswordChangedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>A bearer token for the management API with platform-admin rights; only its SHA-256 is stored.</summary>
public sealed class AdminApiToken
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public required string Prefix { get; init; }
    public required byte[] Hash { get; init; }
    public required string CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; } = DateTime.UtcNow;
    public DateTime? RevokedAt { get; set; }
}

/// <summary>
/// Failed sign-ins for one user name from one address. Kept in the database rather than in memory so that several
/// instances behind a load balancer throttle together.
/// </summary>
public sealed class LoginThrottle
{
    public required string Key { get; init; }
    public int Failures { get; set; }
    public DateTime LastFailureAt { get; set; }
    public DateTime? LockedUntil { get; set; }
}
