using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.CameraRegistry.Care.Migrations
{
    /// <inheritdoc />
    public partial class InitialCare : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CareDecisionHistory",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DecisionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    AtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    By = table.Column<string>(type: "TEXT", nullable: false),
                    Change = table.Column<string>(type: "TEXT", nullable: false),
                    Snapshot = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareDecisionHistory", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CareDecisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CameraId = table.Column<string>(type: "TEXT", nullable: false),
                    ResidentId = table.Column<string>(type: "TEXT", nullable: false),
                    ResidentName = table.Column<string>(type: "TEXT", nullable: false),
                    DecisionReference = table.Column<string>(type: "TEXT", nullable: false),
                    DecisionDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ValidFrom = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ValidTo = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ConsentBy = table.Column<string>(type: "TEXT", nullable: false),
                    ConsentAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Schedule = table.Column<string>(type: "TEXT", nullable: false),
                    WindowMinutes = table.Column<int>(type: "INTEGER", nullable: false),
                    LongestLookSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    CareUnit = table.Column<string>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StateReason = table.Column<string>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareDecisions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CareLooks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DecisionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VisitId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CameraId = table.Column<string>(type: "TEXT", nullable: false),
                    UserName = table.Column<string>(type: "TEXT", nullable: false),
                    StartedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndsAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", nullable: true),
                    Emergency = table.Column<bool>(type: "INTEGER", nullable: false),
                    FollowUp = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareLooks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CarePlannedDays",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    PlannedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CarePlannedDays", x => x.Day);
                });

            migrationBuilder.CreateTable(
                name: "CareStaff",
                columns: table => new
                {
                    UserName = table.Column<string>(type: "TEXT", nullable: false),
                    CareUnit = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CareStaff", x => new { x.UserName, x.CareUnit });
                });

            migrationBuilder.CreateTable(
                name: "CareVisits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DecisionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CameraId = table.Column<string>(type: "TEXT", nullable: false),
                    CareUnit = table.Column<string>(type: "TEXT", nullable: false),
                    PlannedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    WindowStartUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    WindowEndUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Looks = table.Column<int>(type: "INTEGER", nullable: false),
                    DoneBy = table.Column<string>(type: "TEXT", nullable: true),
                    LookStartedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LookSeconds = table.Column<int>(type: "INTEGER", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Note = table.Column<string>(type: "TEXT", nullable: true),
                    OutcomeAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true)
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
