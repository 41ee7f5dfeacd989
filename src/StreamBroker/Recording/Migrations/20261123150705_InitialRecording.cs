using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.StreamBroker.Recording.Migrations
{
    /// <inheritdoc />
    public partial class InitialRecording : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "LegalHolds",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CameraId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FromUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    ToUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    CaseNumber = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    UntilUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    ReleasedUtcTicks = table.Column<long>(type: "INTEGER", nullable: true),
                    ReleasedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LegalHolds", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecordingSegments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CameraId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    StartUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    EndUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Path = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordingSegments", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_LegalHolds_CameraId",
                table: "LegalHolds",
                column: "CameraId");

            migrationBuilder.CreateIndex(
                name: "IX_RecordingSegments_CameraId_StartUtcTicks",
                table: "RecordingSegments",
                columns: new[] { "CameraId", "StartUtcTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_RecordingSegments_Path",
                table: "RecordingSegments",
                column: "Path",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "LegalHolds");

            migrationBuilder.DropTable(
                name: "RecordingSegments");
        }
    }
}
