using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CameraHub.CameraRegistry.Care.PostgresMigrations
{
    /// <inheritdoc />
    public partial class InitialPostgres : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CareDecisionHistory",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DecisionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    AtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<string>(type: "text", nullable: false),
                    Change = table.Column<string>(type: "text", nullable: false),
                    Snapshot = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareDecisionHistory", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CareDecisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CameraId = table.Column<string>(type: "text", nullable: false),
                    ResidentId = table.Column<string>(type: "text", nullable: false),
                    ResidentName = table.Column<string>(type: "text", nullable: false),
                    DecisionReference = table.Column<string>(type: "text", nullable: false),
                    DecisionDate = table.Column<DateOnly>(type: "date", nullable: false),
                    ValidFrom = table.Column<DateOnly>(type: "date", nullable: false),
                    ValidTo = table.Column<DateOnly>(type: "date", nullable: true),
                    ConsentBy = table.Column<string>(type: "text", nullable: false),
                    ConsentAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Schedule = table.Column<string>(type: "text", nullable: false),
                    WindowMinutes = table.Column<int>(type: "integer", nullable: false),
                    LongestLookSeconds = table.Column<int>(type: "integer", nullable: false),
                    CareUnit = table.Column<string>(type: "text", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StateReason = table.Column<string>(type: "text", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareDecisions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CareLooks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DecisionId = table.Column<Guid>(type: "uuid", nullable: false),
                    VisitId = table.Column<Guid>(type: "uuid", nullable: true),
                    CameraId = table.Column<string>(type: "text", nullable: false),
                    UserName = table.Column<string>(type: "text", nullable: false),
                    StartedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndsAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Reason = table.Column<string>(type: "text", nullable: true),
                    Emergency = table.Column<bool>(type: "boolean", nullable: false),
                    FollowUp = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareLooks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CarePlannedDays",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    PlannedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CarePlannedDays", x => x.Day);
                });

            migrationBuilder.CreateTable(
                name: "CareStaff",
                columns: table => new
                {
                    UserName = table.Column<string>(type: "text", nullable: false),
                    CareUnit = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareStaff", x => new { x.UserName, x.CareUnit });
                });

            migrationBuilder.CreateTable(
                name: "CareVisits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DecisionId = table.Column<Guid>(type: "uuid", nullable: false),
                    CameraId = table.Column<string>(type: "text", nullable: false),
                    CareUnit = table.Column<string>(type: "text", nullable: false),
                    PlannedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    WindowStartUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    WindowEndUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Looks = table.Column<int>(type: "integer", nullable: false),
                    DoneBy = table.Column<string>(type: "text", nullable: true),
                    LookStartedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LookSeconds = table.Column<int>(type: "integer", nullable: true),
                    Outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    Note = table.Column<string>(type: "text", nullable: true),
                    OutcomeAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareVisits", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CareDecisionHistory_DecisionId_Version",
                table: "CareDecisionHistory",
                columns: new[] { "DecisionId", "Version" });

            migrationBuilder.CreateIndex(
                name: "IX_CareDecisions_CameraId",
                table: "CareDecisions",
                column: "CameraId");

            migrationBuilder.CreateIndex(
                name: "IX_CareDecisions_CareUnit",
                table: "CareDecisions",
                column: "CareUnit");

            migrationBuilder.CreateIndex(
                name: "IX_CareDecisions_DecisionReference",
                table: "CareDecisions",
                column: "DecisionReference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CareLooks_CameraId_EndsAtUtc",
                table: "CareLooks",
                columns: new[] { "CameraId", "EndsAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_CareLooks_VisitId",
                table: "CareLooks",
                column: "VisitId");

            migrationBuilder.CreateIndex(
                name: "IX_CareVisits_CareUnit_PlannedAtUtc",
                table: "CareVisits",
                columns: new[] { "CareUnit", "PlannedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_CareVisits_DecisionId_PlannedAtUtc",
                table: "CareVisits",
                columns: new[] { "DecisionId", "PlannedAtUtc" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CareVisits_State_WindowEndUtc",
                table: "CareVisits",
                columns: new[] { "State", "WindowEndUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CareDecisionHistory");

            migrationBuilder.DropTable(
                name: "CareDecisions");

            migrationBuilder.DropTable(
                name: "CareLooks");

            migrationBuilder.DropTable(
                name: "CarePlannedDays");

            migrationBuilder.DropTable(
                name: "CareStaff");

            migrationBuilder.DropTable(
                name: "CareVisits");
        }
    }
}
