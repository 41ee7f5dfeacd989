using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CameraHub.StreamBroker.Recording.PostgresMigrations
{
    /// <inheritdoc />
    public partial class InitialPostgres : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "LegalHolds",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    CameraId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    FromUtcTicks = table.Column<long>(type: "bigint", nullable: false),
                    ToUtcTicks = table.Column<long>(type: "bigint", nullable: false),
                    CaseNumber = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    UntilUtcTicks = table.Column<long>(type: "bigint", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedUtcTicks = table.Column<long>(type: "bigint", nullable: false),
                    ReleasedUtcTicks = table.Column<long>(type: "bigint", nullable: true),
                    ReleasedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LegalHolds", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecordingSegments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CameraId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    StartUtcTicks = table.Column<long>(type: "bigint", nullable: false),
                    EndUtcTicks = table.Column<long>(type: "bigint", nullable: false),
                    Path = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Bytes = table.Column<long>(type: "bigint", nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false)
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
