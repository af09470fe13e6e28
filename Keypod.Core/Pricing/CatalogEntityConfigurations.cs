using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Keypod.Core.Pricing;

sealed class CatalogModelConfiguration : IEntityTypeConfiguration<CatalogModel>
{
    public void Configure(EntityTypeBuilder<CatalogModel> builder)
    {
        builder.Property(m => m.Id).HasMaxLength(200);
        builder.Property(m => m.CanonicalSlug).HasMaxLength(200);
        builder.Property(m => m.Name).HasMaxLength(300);
        builder.HasIndex(m => m.CanonicalSlug);
        builder.HasMany(m => m.Prices).WithOne().HasForeignKey(p => p.ModelId);
    }
}

sealed class ModelPriceConfiguration : IEntityTypeConfiguration<ModelPrice>
{
    public void Configure(EntityTypeBuilder<ModelPrice> builder)
    {
        builder.Property(p => p.ModelId).HasMaxLength(200);
        builder.HasIndex(p => new { p.ModelId, p.EffectiveFrom }).IsUnique();
        builder.Ignore(p => p.IsVariable);
        builder.OwnsMany(p => p.Overrides, tier =>
        {
            tier.ToTable("ModelPriceOverrides");
            tier.WithOwner().HasForeignKey("ModelPriceId");
            tier.HasKey("ModelPriceId", nameof(PriceOverride.Position));
            tier.Property(o => o.Position).ValueGeneratedNever();
            tier.Property(o => o.UtcDays).HasMaxLength(100);
        });
    }
}
