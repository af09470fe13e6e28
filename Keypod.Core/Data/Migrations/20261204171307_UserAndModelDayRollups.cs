using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keypod.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class UserAndModelDayRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UsageModelDays",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Requests = table.Column<long>(type: "INTEGER", nullable: false),
                    PromptTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletionTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CachedTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    ReasoningTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    UnpricedRequests = table.Column<long>(type: "INTEGER", nullable: false),
                    UpstreamCostUsd = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    BilledUsd = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageModelDays", x => new { x.ProjectId, x.Day, x.Model });
                });

            migrationBuilder.CreateTable(
                name: "UsageUserDays",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Requests = table.Column<long>(type: "INTEGER", nullable: false),
                    PromptTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletionTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CachedTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    ReasoningTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    UnpricedRequests = table.Column<long>(type: "INTEGER", nullable: false),
                    UpstreamCostUsd = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false),
                    BilledUsd = table.Column<decimal>(type: "TEXT", precision: 28, scale: 18, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageUserDays", x => new { x.ProjectId, x.Day, x.UserId });
                });

            // Backfill from the existing rollups. ef_sum is EF's exact decimal aggregate, registered on the connection the
            // migration runs on; its result is bound as TEXT in the same "0.0###…" format the app writes.
            const string measures = "COALESCE(SUM(Requests), 0), COALESCE(SUM(PromptTokens), 0), COALESCE(SUM(CompletionTokens), 0), " +
                "COALESCE(SUM(CachedTokens), 0), COALESCE(SUM(ReasoningTokens), 0), COALESCE(SUM(UnpricedRequests), 0), " +
                "COALESCE(ef_sum(UpstreamCostUsd), '0.0'), COALESCE(ef_sum(BilledUsd), '0.0')";
            const string columns = "Requests, PromptTokens, CompletionTokens, CachedTokens, ReasoningTokens, UnpricedRequests, UpstreamCostUsd, BilledUsd";
            migrationBuilder.Sql(
                $"INSERT INTO UsageUserDays (ProjectId, Day, UserId, {columns}) SELECT ProjectId, Day, UserId, {measures} FROM UsageRollups GROUP BY ProjectId, Day, UserId;");
            migrationBuilder.Sql(
                $"INSERT INTO UsageModelDays (ProjectId, Day, Model, {columns}) SELECT ProjectId, Day, Model, {measures} FROM UsageRollups GROUP BY ProjectId, Day, Model;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsageModelDays");

            migrationBuilder.DropTable(
                name: "UsageUserDays");
        }
    }
}
