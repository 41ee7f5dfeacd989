using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.StreamBroker.Recording.Migrations
{
    /// <inheritdoc />
    public partial class SegmentNode : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Node",
                table: "RecordingSegments",
                type: "TEXT",
                maxLength: 100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Node",
                table: "RecordingSegments");
        }
    }
}
