using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.CameraRegistry.Persistence.PostgresMigrations.Access
{
    /// <inheritdoc />
    public partial class MaskLifts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MaskLifts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CameraId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RequestedBy = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    Live = table.Column<bool>(type: "boolean", nullable: false),
                    PlaybackFromUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    PlaybackToUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DurationMinutes = table.Column<int>(type: "integer", nullable: false),
                    RequestedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ApprovedBy = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    ApprovedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ExpiresAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    EndedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    EndedBy = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    EndReason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MaskLifts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MaskLifts_CameraId_RequestedBy_Status",
                table: "MaskLifts",
                columns: new[] { "CameraId", "RequestedBy", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MaskLifts");
        }
    }
}
