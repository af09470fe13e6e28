using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Keypod.Core.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the web host.</summary>
sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<KeypodDbContext>
{
    public KeypodDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<KeypodDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
