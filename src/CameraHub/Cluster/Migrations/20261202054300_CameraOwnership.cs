using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.Cluster.Migrations
{
    /// <inheritdoc />
    public partial class CameraOwnership : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Drained",
                table: "ClusterNodes",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "Weight",
                table: "ClusterNodes",
                type: "REAL",
                nullable: false,
                defaultValue: 1.0);

            migrationBuilder.CreateTable(
                name: "CameraClaims",
                columns: table => new
                {
                    CameraId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Node = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    InstanceId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Epoch = table.Column<long>(type: "INTEGER", nullable: false),
                    ClaimedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ChangedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CameraClaims", x => x.CameraId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CameraClaims_ChangedAtUtc",
                table: "CameraClaims",
                column: "ChangedAtUtc");

            migrationBuilder.CreateIndex(
                name: "IX_CameraClaims_Node",
                table: "CameraClaims",
                column: "Node");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CameraClaims");

            migrationBuilder.DropColumn(
                name: "Drained",
                table: "ClusterNodes");

            migrationBuilder.DropColumn(
                name: "Weight",
                table: "ClusterNodes");
        }
    }
}
