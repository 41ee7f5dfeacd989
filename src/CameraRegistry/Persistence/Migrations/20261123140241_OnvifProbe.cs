using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.CameraRegistry.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OnvifProbe : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "ClockSkewSeconds",
                table: "Cameras",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastProbedAtUtc",
                table: "Cameras",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OnvifProfiles",
                table: "Cameras",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SnapshotUrl",
                table: "Cameras",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ClockSkewSeconds",
                table: "Cameras");

            migrationBuilder.DropColumn(
                name: "LastProbedAtUtc",
                table: "Cameras");

            migrationBuilder.DropColumn(
                name: "OnvifProfiles",
                table: "Cameras");

            migrationBuilder.DropColumn(
                name: "SnapshotUrl",
                table: "Cameras");
        }
    }
}
