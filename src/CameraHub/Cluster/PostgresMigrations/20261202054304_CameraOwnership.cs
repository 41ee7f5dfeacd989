using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.Cluster.PostgresMigrations
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
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "Weight",
                table: "ClusterNodes",
                type: "double precision",
                nullable: false,
                defaultValue: 1.0);

            migrationBuilder.CreateTable(
                name: "CameraClaims",
                columns: table => new
                {
                    CameraId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Node = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    InstanceId = table.Column<Guid>(type: "uuid", nullable: true),
                    Epoch = table.Column<long>(type: "bigint", nullable: false),
                    ClaimedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ChangedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
