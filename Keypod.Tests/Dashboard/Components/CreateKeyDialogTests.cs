using Bunit;
using Keypod.Core.Keys;
using Keypod.Web.Components.Pages.Projects;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Keypod.Tests.Dashboard.Components;

public sealed class CreateKeyDialogTests : DashboardComponentContext
{
    [Fact]
    public async Task A_user_key_with_a_new_project_key_shows_both_secrets_once_and_the_full_bearer()
    {
        SignInAsAdmin();
        var project = await CreateProjectAsync("P");
        var user = (await Administration.CreateUserAsync(project.Id, "Ada", null)).Value!;
        var provider = Render<MudDialogProvider>();
        Render<MudPopoverProvider>();

        await OpenAsync(provider, project.Id, new UserRow(user.Id, user.Name, null, user.CreatedAt, 0), []);
        provider.Find("[data-testid=create-key]").Click();

        provider.WaitForAssertion(() => provider.Find("[data-testid=shown-once]"));
        var userKey = provider.Find("[data-testid=user-key]").TextContent;
        var projectKey = provider.Find("[data-testid=project-key]").TextContent;
        provider.Find("[data-testid=bearer]").TextContent.Should().Be($"{projectKey}:{userKey}");
        await using var db = CreateDbContext();
        (await db.UserKeys.SingleAsync()).Hash.Should().Equal(ApiKeys.Hash(userKey), "the shown key is the one stored (as its hash)");
        (await db.ProjectKeys.SingleAsync()).Hash.Should().Equal(ApiKeys.Hash(projectKey));

        provider.Find("[data-testid=copy-bearer]").Click();
        JSInterop.VerifyInvoke("keypod.copy").Arguments.Should().Equal($"{projectKey}:{userKey}");

        provider.Find("[data-testid=close-key-dialog]").Click();
        provider.WaitForAssertion(() => provider.Markup.Should().NotContain(userKey, "once closed, the secret is gone"));
    }

    [Fact]
    public async Task A_user_key_paired_with_an_existing_project_key_shows_that_keys_prefix_as_a_placeholder()
    {
        SignInAsAdmin();
        var project = await CreateProjectAsync("P");
        var user = (await Administration.CreateUserAsync(project.Id, "Ada", null)).Value!;
        var existing = (await Administration.CreateProjectKeyAsync(project.Id, "ci")).Value!;
        var provider = Render<MudDialogProvider>();
        Render<MudPopoverProvider>();

        await OpenAsync(provider, project.Id, new UserRow(user.Id, user.Name, null, user.CreatedAt, 0),
            [new KeyRow(existing.Id, existing.Prefix, existing.Name, existing.CreatedAt, null)]);
        provider.Find("[data-testid=create-key]").Click();

        provider.WaitForAssertion(() => provider.Find("[data-testid=shown-once]"));
        var userKey = provider.Find("[data-testid=user-key]").TextContent;
        provider.FindAll("[data-testid=project-key]").Should().BeEmpty("the existing project key's secret is not known any more");
        provider.Find("[data-testid=bearer]").TextContent.Should().Be($"{existing.Prefix}…:{userKey}");
        provider.Markup.Should().Contain($"Replace {existing.Prefix}… with the full project key");
        await using var db = CreateDbContext();
        (await db.ProjectKeys.CountAsync()).Should().Be(1, "no second project key was created");
    }

    Task OpenAsync(IRenderedComponent<MudDialogProvider> provider, Guid projectId, UserRow user, List<KeyRow> projectKeys) =>
        provider.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<CreateKeyDialog>("New key",
            new DialogParameters<CreateKeyDialog>
            {
                { d => d.ProjectId, projectId },
                { d => d.User, user },
                { d => d.ActiveProjectKeys, projectKeys },
            }));
}
