using System.Net;
using System.Net.Http.Json;
using Keypod.Core.Projects;
using Keypod.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Keypod.Tests.Dashboard;

public sealed class AdminApiTokenTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task An_admin_token_manages_everything_until_it_is_revoked_and_only_its_hash_is_stored()
    {
        var administration = fixture.App.Services.GetRequiredService<ProjectAdministration>();
        var token = (await administration.CreateAdminTokenAsync("deploy", "admin")).Value!;
        token.Plaintext.Should().StartWith("kp_admin_");

        using var client = fixture.App.CreateClient(token.Plaintext);
        using (var created = await client.PostAsJsonAsync("/api/v1/projects", new { name = "Made by a token" }))
        {
            created.StatusCode.Should().Be(HttpStatusCode.Created);
        }
        await using (var db = await fixture.App.CreateDbContextAsync())
        {
            var stored = await db.AdminApiTokens.SingleAsync(t => t.Id == token.Id);
            stored.Hash.Should().Equal(Keypod.Core.Keys.ApiKeys.Hash(token.Plaintext));
            stored.Prefix.Should().Be(token.Prefix).And.HaveLength("kp_admin_".Length + 4);
        }

        (await administration.RevokeAdminTokenAsync(token.Id)).Succeeded.Should().BeTrue();
        (await client.GetAsync("/api/v1/projects")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "revocation is immediate");
        using var forged = fixture.App.CreateClient("kp_admin_" + new string('x', 40));
        (await forged.GetAsync("/api/v1/projects")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
