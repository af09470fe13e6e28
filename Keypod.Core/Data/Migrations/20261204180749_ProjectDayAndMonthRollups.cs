using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Keypod.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class ProjectDayAndMonthRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UsageModelMonths",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Month = table.Column<DateOnly>(type: "TEXT", nullable: false),
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
                    table.PrimaryKey("PK_UsageModelMonths", x => new { x.ProjectId, x.Month, x.Model });
                });

            migrationBuilder.CreateTable(
                name: "UsageProjectDays",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
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
                    table.PrimaryKey("PK_UsageProjectDays", x => new { x.ProjectId, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "UsageUserMonths",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Month = table.Column<DateOnly>(type: "TEXT", nullable: false),
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
                    table.PrimaryKey("PK_UsageUserMonths", x => new { x.ProjectId, x.Month, x.UserId });
                });

            // Backfill from the per-user and per-model day rollups, as the previous migration did (ef_sum is EF's exact decimal
            // aggregate on the migration's connection). Days are "yyyy-MM-dd" text, so a month's first day is the first 8 characters and "01".
            const string measures = "COALESCE(SUM(Requests), 0), COALESCE(SUM(PromptTokens), 0), COALESCE(SUM(CompletionTokens), 0), " +
                "COALESCE(SUM(CachedTokens), 0), COALESCE(SUM(ReasoningTokens), 0), COALESCE(SUM(UnpricedRequests), 0), " +
                "COALESCE(ef_sum(UpstreamCostUsd), '0.0'), COALESCE(ef_sum(BilledUsd), '0.0')";
            const string columns = "Requests, PromptTokens, CompletionTokens, CachedTokens, ReasoningTokens, UnpricedRequests, UpstreamCostUsd, BilledUsd";
            const string month = "substr(Day, 1, 8) || '01'";
            migrationBuilder.Sql(
                $"INSERT INTO UsageProjectDays (ProjectId, Day, {columns}) SELECT ProjectId, Day, {measures} FROM UsageUserDays GROUP BY ProjectId, Day;");
            migrationBuilder.Sql(
                $"INSERT INTO UsageUserMonths (ProjectId, Month, UserId, {columns}) SELECT ProjectId, {month}, UserId, {measures} FROM UsageUserDays GROUP BY ProjectId, {month}, UserId;");
            migrationBuilder.Sql(
                $"INSERT INTO UsageModelMonths (ProjectId, Month, Model, {columns}) SELECT ProjectId, {month}, Model, {measures} FROM UsageModelDays GROUP BY ProjectId, {month}, Model;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsageModelMonths");

            migrationBuilder.DropTable(
                name: "UsageProjectDays");

            migrationBuilder.DropTable(
                name: "UsageUserMonths");
        }
    }
}
