using Bunit;
using Keypod.Core.Projects;
using Keypod.Web.Components.Pages.Projects;
using MudBlazor;

namespace Keypod.Tests.Dashboard.Components;

public sealed class ProjectDetailPageTests : DashboardComponentContext
{
    [Fact]
    public async Task A_member_of_project_A_cannot_open_project_B()
    {
        SignInAsMember("owner@example.com");
        var projectA = await CreateProjectAsync("A");
        var projectB = await CreateProjectAsync("B");
        await Administration.AddMemberAsync(projectA.Id, "owner@example.com", ProjectRole.Owner);
        Render<MudPopoverProvider>();

        var b = Render<ProjectDetailPage>(parameters => parameters.Add(p => p.ProjectId, projectB.Id));
        b.WaitForAssertion(() => b.Find("[data-testid=project-not-found]"));
        b.Markup.Should().NotContain(">B<");

        var a = Render<ProjectDetailPage>(parameters => parameters.Add(p => p.ProjectId, projectA.Id));
        a.WaitForAssertion(() => a.Find("[data-testid=project-title]").TextContent.Should().Be("A"));
        a.FindAll("[data-testid=new-user]").Should().ContainSingle("owners manage their project");
    }

    [Fact]
    public async Task A_viewer_sees_the_project_without_controls_that_change_it()
    {
        SignInAsMember("viewer@example.com");
        var project = await CreateProjectAsync("Viewed");
        var user = (await Administration.CreateUserAsync(project.Id, "Ada", null)).Value!;
        await Administration.CreateUserKeyAsync(project.Id, user.Id, "laptop");
        await Administration.AddMemberAsync(project.Id, "viewer@example.com", ProjectRole.Viewer);
        Render<MudPopoverProvider>();

        var page = Render<ProjectDetailPage>(parameters => parameters.Add(p => p.ProjectId, project.Id));

        page.WaitForAssertion(() => page.Markup.Should().Contain("You are a viewer of this project"));
        page.Markup.Should().Contain("laptop");
        page.FindAll("[data-testid=new-user]").Should().BeEmpty();
        page.FindAll("[data-testid^=revoke-]").Should().BeEmpty();
    }
}
