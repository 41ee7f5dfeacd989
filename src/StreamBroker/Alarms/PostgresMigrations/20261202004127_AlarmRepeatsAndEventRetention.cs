using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.StreamBroker.Alarms.PostgresMigrations
{
    /// <inheritdoc />
    public partial class AlarmRepeatsAndEventRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LastOccurredUtcTicks",
                table: "Alarms",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Repeats",
                table: "Alarms",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.CreateIndex(
                name: "IX_CameraEvents_ReceivedUtcTicks",
                table: "CameraEvents",
                column: "ReceivedUtcTicks");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CameraEvents_ReceivedUtcTicks",
                table: "CameraEvents");

            migrationBuilder.DropColumn(
                name: "LastOccurredUtcTicks",
                table: "Alarms");

            migrationBuilder.DropColumn(
                name: "Repeats",
                table: "Alarms");
        }
    }
}
