using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.Cluster.PostgresMigrations
{
    /// <inheritdoc />
    public partial class InitialCluster : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ClusterNodes",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    InstanceId = table.Column<Guid>(type: "uuid", nullable: false),
                    PublicUrl = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    Version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    StartedUtcTicks = table.Column<long>(type: "bigint", nullable: false),
                    LastHeartbeatUtcTicks = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClusterNodes", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ClusterNodes_LastHeartbeatUtcTicks",
                table: "ClusterNodes",
                column: "LastHeartbeatUtcTicks");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ClusterNodes");
        }
    }
}
