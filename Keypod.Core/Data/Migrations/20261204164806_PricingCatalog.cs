using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keypod.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class PricingCatalog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CatalogModels",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CanonicalSlug = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ContextLength = table.Column<int>(type: "INTEGER", nullable: true),
                    InputModalities = table.Column<string>(type: "TEXT", nullable: false),
                    OutputModalities = table.Column<string>(type: "TEXT", nullable: false),
                    RawJson = table.Column<string>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstSeenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSeenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DelistedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CatalogModels", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ModelPrices",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ModelId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    EffectiveFrom = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Prompt = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    Completion = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    Request = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    Image = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    WebSearch = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    InternalReasoning = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: true),
                    InputCacheRead = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    InputCacheWrite = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    InputCacheWrite1h = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    Audio = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    InputAudioCache = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    AudioOutput = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    ImageOutput = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    ImageToken = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelPrices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ModelPrices_CatalogModels_ModelId",
                        column: x => x.ModelId,
                        principalTable: "CatalogModels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ModelPriceOverrides",
                columns: table => new
                {
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    ModelPriceId = table.Column<long>(type: "INTEGER", nullable: false),
                    MinPromptTokens = table.Column<int>(type: "INTEGER", nullable: true),
                    UtcStart = table.Column<int>(type: "INTEGER", nullable: true),
                    UtcEnd = table.Column<int>(type: "INTEGER", nullable: true),
                    UtcDays = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Prompt = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: true),
                    Completion = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: true),
                    InputCacheRead = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: true),
                    InputCacheWrite = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: true),
                    InputCacheWrite1h = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: true),
                    Audio = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: true),
                    InputAudioCache = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelPriceOverrides", x => new { x.ModelPriceId, x.Position });
                    table.ForeignKey(
                        name: "FK_ModelPriceOverrides_ModelPrices_ModelPriceId",
                        column: x => x.ModelPriceId,
                        principalTable: "ModelPrices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CatalogModels_CanonicalSlug",
                table: "CatalogModels",
                column: "CanonicalSlug");

            migrationBuilder.CreateIndex(
                name: "IX_ModelPrices_ModelId_EffectiveFrom",
                table: "ModelPrices",
                columns: new[] { "ModelId", "EffectiveFrom" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ModelPriceOverrides");

            migrationBuilder.DropTable(
                name: "ModelPrices");

            migrationBuilder.DropTable(
                name: "CatalogModels");
        }
    }
}
