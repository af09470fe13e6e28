using Bunit;
using Keypod.Core.Ledger;
using Keypod.Core.Projects;
using Keypod.Web.Components.Pages.Projects;

namespace Keypod.Tests.Dashboard.Components;

public sealed class ProjectsPageTests : DashboardComponentContext
{
    [Fact]
    public async Task An_admin_sees_every_project_with_this_months_spend_from_the_rollups()
    {
        SignInAsAdmin();
        var project = await CreateProjectAsync("Billing team");
        await CreateProjectAsync("Other team");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        await using (var db = CreateDbContext())
        {
            db.UsageRollups.AddRange(
                new UsageRollup { ProjectId = project.Id, UserId = Guid.NewGuid(), Model = "a", Day = today, BilledUsd = 1.25m },
                new UsageRollup { ProjectId = project.Id, UserId = Guid.NewGuid(), Model = "b", Day = monthStart, BilledUsd = 0.25m },
                new UsageRollup { ProjectId = project.Id, UserId = Guid.NewGuid(), Model = "a", Day = monthStart.AddDays(-1), BilledUsd = 100m });
            await db.SaveChangesAsync();
        }

        var page = Render<ProjectsPage>();

        page.WaitForAssertion(() => page.FindAll("[data-testid=projects-table] tbody tr").Should().HaveCount(2));
        var row = page.FindAll("tbody tr").Single(r => r.TextContent.Contains("Billing team", StringComparison.Ordinal));
        row.TextContent.Should().Contain("$1.50", "last month's $100 is not this month's spend").And.Contain("10% (default)");
        page.FindAll("[data-testid=new-project]").Should().ContainSingle();
    }

    [Fact]
    public async Task A_member_sees_only_their_projects_and_an_explanation_when_there_are_none()
    {
        SignInAsMember("dev@example.com");
        var mine = await CreateProjectAsync("Mine");
        await CreateProjectAsync("Someone else's");

        var empty = Render<ProjectsPage>();
        empty.WaitForAssertion(() => empty.Find("[data-testid=projects-empty]").TextContent.Should().Contain("You are not a member of any project"));
        empty.FindAll("[data-testid=new-project]").Should().BeEmpty();

        await Administration.AddMemberAsync(mine.Id, "Dev@Example.com", ProjectRole.Viewer);
        var page = Render<ProjectsPage>();
        page.WaitForAssertion(() => page.FindAll("tbody tr").Should().ContainSingle().Which.TextContent.Should().Contain("Mine").And.Contain("viewer"));
    }
}
