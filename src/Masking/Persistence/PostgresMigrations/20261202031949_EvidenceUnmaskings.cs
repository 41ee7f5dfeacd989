using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.Masking.Persistence.PostgresMigrations
{
    /// <inheritdoc />
    public partial class EvidenceUnmaskings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "EvidenceUnmaskings",
                columns: table => new
                {
                    EvidenceRequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    CameraId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    MaskLiftId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvidenceUnmaskings", x => new { x.EvidenceRequestId, x.CameraId });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EvidenceUnmaskings");
        }
    }
}
