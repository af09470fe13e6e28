namespace Keypod.Core.Projects;

public sealed class Project
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }

    /// <summary>Overrides <c>Keypod:Billing:MarkupPercent</c> for this project when set.</summary>
    public decimal? MarkupPercent { get; set; }
    public bool Disabled { get; set; }
    public DateTime CreatedAt { get; init; } = DateTime.UtcNow;

    public List<ProjectKey> Keys { get; } = [];
    public List<ProjectUser> Users { get; } = [];
}

public sealed class ProjectKey
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProjectId { get; init; }
    public required string Name { get; set; }
    public required string Prefix { get; init; }
    public required byte[] Hash { get; init; }
    public DateTime CreatedAt { get; init; } = DateTime.UtcNow;
    public DateTime? RevokedAt { get; set; }
}

public sealed class ProjectUser
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProjectId { get; init; }
    public required string Name { get; set; }
    public string? Email { get; set; }
    public DateTime CreatedAt { get; init; } = DateTime.UtcNow;

    public List<UserKey> Keys { get; } = [];
}

public sealed class UserKey
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProjectId { get; init; }
    public Guid UserId { get; init; }
    public required string Name { get; set; }
    public required string Prefix { get; init; }
    public required byte[] Hash { get; init; }
    public DateTime CreatedAt { get; init; } = DateTime.UtcNow;
    public DateTime? RevokedAt { get; set; }
}
