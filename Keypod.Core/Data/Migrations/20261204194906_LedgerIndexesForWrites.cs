using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keypod.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class LedgerIndexesForWrites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UsageRecords_CostSource",
                table: "UsageRecords");

            migrationBuilder.DropIndex(
                name: "IX_UsageRecords_UserKeyId_CreatedAt",
                table: "UsageRecords");

            migrationBuilder.CreateIndex(
                name: "IX_UsageRecords_Pending",
                table: "UsageRecords",
                column: "CreatedAt",
                filter: "\"CostSource\" = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "IX_UsageRecords_Unpriced",
                table: "UsageRecords",
                column: "CreatedAt",
                filter: "\"CostSource\" = 'Unpriced'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UsageRecords_Pending",
                table: "UsageRecords");

            migrationBuilder.DropIndex(
                name: "IX_UsageRecords_Unpriced",
                table: "UsageRecords");

            migrationBuilder.CreateIndex(
                name: "IX_UsageRecords_CostSource",
                table: "UsageRecords",
                column: "CostSource");

            migrationBuilder.CreateIndex(
                name: "IX_UsageRecords_UserKeyId_CreatedAt",
                table: "UsageRecords",
                columns: new[] { "UserKeyId", "CreatedAt" });
        }
    }
}
