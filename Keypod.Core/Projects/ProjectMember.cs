namespace Keypod.Core.Projects;

public enum ProjectRole
{
    Viewer,
    Owner,
}

/// <summary>A person who may see (viewer) or manage (owner) a project in the dashboard, identified by the email their sign-in carries.</summary>
public sealed class ProjectMember
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProjectId { get; init; }

    /// <summary>Lower-case, trimmed.</summary>
    public required string Email { get; init; }
    public ProjectRole Role { get; set; }
    public DateTime CreatedAt { get; init; } = DateTime.UtcNow;
}
