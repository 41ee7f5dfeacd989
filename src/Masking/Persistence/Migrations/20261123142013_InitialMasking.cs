using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.Masking.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class InitialMasking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CameraCalibrations",
                columns: table => new
                {
                    CameraId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PointsJson = table.Column<string>(type: "TEXT", nullable: false),
                    FacadeJson = table.Column<string>(type: "TEXT", nullable: false),
                    KeepDistanceMetres = table.Column<double>(type: "REAL", nullable: false),
                    ImageWidth = table.Column<int>(type: "INTEGER", nullable: false),
                    ImageHeight = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CameraCalibrations", x => x.CameraId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CameraCalibrations");
        }
    }
}
