using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Tests.Cameras;

public class CameraCatalogueTests : IAsyncLifetime
{
    private readonly RegistryDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Valid_camera_is_stored_with_its_creation_in_history()
    {
        await using var db = _database.NewContext();
        var result = await _database.Catalogue(db).CreateAsync(SampleCameras.School(), "anna", default);

        Assert.True(result.Succeeded);
        await using var check = _database.NewContext();
        var stored = await check.Cameras.SingleAsync();
        Assert.Equal("Testskolan kamera 1", stored.Name);
        Assert.Equal(_database.Time.GetUtcNow().UtcDateTime, stored.ActivatedAtUtc);
        var change = await check.CameraChanges.SingleAsync();
        Assert.Equal(("anna", CameraChangeKind.Created), (change.Actor, change.Kind));
    }

    [Fact]
    public async Task Invalid_camera_changes_nothing()
    {
        await using var db = _database.NewContext();
        var result = await _database.Catalogue(db).CreateAsync(SampleCameras.School() with { RetentionDays = 0, Masking = new() }, "anna", default);

        Assert.False(result.Succeeded);
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal(0, await _database.CountCamerasAsync());
        Assert.Equal("0", await _database.RawScalarAsync("SELECT COUNT(*) FROM \"CameraChanges\""));
    }

    [Fact]
    public async Task Password_is_encrypted_at_rest_and_url_credentials_are_moved_out()
    {
        await using var db = _database.NewContext();
        var input = SampleCameras.Traffic() with { RtspUrl = "rtsp://viewer:S3cret-Pa55@127.0.0.1:8554/traffic" };
        var result = await _database.Catalogue(db).CreateAsync(input, "anna", default);

        Assert.True(result.Succeeded);
        var rawRow = await _database.RawScalarAsync("SELECT \"RtspUrl\" || ' ' || \"Username\" || ' ' || \"ProtectedPassword\" FROM \"Cameras\"");
        Assert.DoesNotContain("S3cret-Pa55", rawRow, StringComparison.Ordinal);
        Assert.StartsWith("rtsp://127.0.0.1:8554/traffic viewer ", rawRow, StringComparison.Ordinal);
        var history = await _database.RawScalarAsync("SELECT \"After\" FROM \"CameraChanges\"");
        Assert.DoesNotContain("S3cret-Pa55", history, StringComparison.Ordinal);
        Assert.DoesNotContain("protectedPassword", history, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Update_without_password_keeps_the_stored_one_and_records_before_and_after()
    {
        await using (var db = _database.NewContext())
        {
            await _database.Catalogue(db).CreateAsync(SampleCameras.Traffic() with { Password = "first" }, "anna", default);
        }

        _database.Time.Advance(TimeSpan.FromHours(1));
        await using (var db = _database.NewContext())
        {
            var result = await _database.Catalogue(db).UpdateAsync("TRF-T-01", SampleCameras.Traffic() with { Name = "Trafikkamera E6 norr" }, "bertil", default);
            Assert.True(result.Succeeded);
            Assert.NotNull(result.Camera!.ProtectedPassword);
        }

        await using var check = _database.NewContext();
        var update = await check.CameraChanges.OrderBy(c => c.Id).LastAsync();
        Assert.Equal(CameraChangeKind.Updated, update.Kind);
        Assert.Contains("Trafikkamera E6\"", update.Before, StringComparison.Ordinal);
        Assert.Contains("Trafikkamera E6 norr", update.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decommissioning_keeps_the_camera_and_it_cannot_come_back()
    {
        await using (var db = _database.NewContext())
        {
            await _database.Catalogue(db).CreateAsync(SampleCameras.School(), "anna", default);
            _database.Time.Advance(TimeSpan.FromDays(30));
            var result = await _database.Catalogue(db).DecommissionAsync("SKO-T-01", "anna", default);
            Assert.Equal(CameraStatus.Decommissioned, result.Camera!.Status);
        }

        await using (var db = _database.NewContext())
        {
            var revive = await _database.Catalogue(db).UpdateAsync("SKO-T-01", SampleCameras.School(), "anna", default);
            Assert.Contains("stays decommissioned", Assert.Single(revive.Errors["status"]), StringComparison.Ordinal);
        }

        Assert.Equal(1, await _database.CountCamerasAsync());
        Assert.Equal("Created,Decommissioned", string.Join(',', await _database.RawColumnAsync("SELECT \"Kind\" FROM \"CameraChanges\" ORDER BY \"Id\"")));
    }

    [Fact]
    public async Task Duplicate_id_is_a_conflict()
    {
        await using var db = _database.NewContext();
        await _database.Catalogue(db).CreateAsync(SampleCameras.School(), "anna", default);
        var again = await _database.Catalogue(db).CreateAsync(SampleCameras.School(), "anna", default);
        Assert.True(again.Conflict);
    }
}
