using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.StreamBroker.Alarms.Migrations
{
    /// <inheritdoc />
    public partial class AddAlarmDesk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Alarms",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Severity = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    CameraId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    OwnerId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Text = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    EventId = table.Column<long>(type: "INTEGER", nullable: true),
                    OccurredUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    RaisedUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    ClearedUtcTicks = table.Column<long>(type: "INTEGER", nullable: true),
                    AcknowledgedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    AcknowledgedUtcTicks = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ClosedUtcTicks = table.Column<long>(type: "INTEGER", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Alarms", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Bookmarks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CameraId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AtUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    ToUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedUtcTicks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Bookmarks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CameraEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CameraId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Category = table.Column<int>(type: "INTEGER", nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Operation = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Active = table.Column<bool>(type: "INTEGER", nullable: true),
                    OccurredUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedUtcTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    RawXml = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CameraEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EventIntake",
                columns: table => new
                {
                    CameraId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    AlarmCategories = table.Column<string>(type: "TEXT", nullable: true),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ChangedUtcTicks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EventIntake", x => x.CameraId);
                });

            migrationBuilder.CreateTable(
                name: "AlarmComments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AlarmId = table.Column<long>(type: "INTEGER", nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    AtUtcTicks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlarmComments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AlarmComments_Alarms_AlarmId",
                        column: x => x.AlarmId,
                        principalTable: "Alarms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AlarmComments_AlarmId",
                table: "AlarmComments",
                column: "AlarmId");

            migrationBuilder.CreateIndex(
                name: "IX_Alarms_Kind_Key_State",
                table: "Alarms",
                columns: new[] { "Kind", "Key", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_Alarms_State_RaisedUtcTicks",
                table: "Alarms",
                columns: new[] { "State", "RaisedUtcTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_Bookmarks_CameraId_AtUtcTicks",
                table: "Bookmarks",
                columns: new[] { "CameraId", "AtUtcTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_CameraEvents_CameraId_OccurredUtcTicks",
                table: "CameraEvents",
                columns: new[] { "CameraId", "OccurredUtcTicks" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AlarmComments");

            migrationBuilder.DropTable(
                name: "Bookmarks");

            migrationBuilder.DropTable(
                name: "CameraEvents");

            migrationBuilder.DropTable(
                name: "EventIntake");

            migrationBuilder.DropTable(
                name: "Alarms");
        }
    }
}
