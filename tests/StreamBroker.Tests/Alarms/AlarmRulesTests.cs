using CameraHub.CameraRegistry.Cameras;
using CameraHub.StreamBroker.Alarms;
using CameraHub.StreamBroker.Onvif.Events;

namespace CameraHub.StreamBroker.Tests.Alarms;

/// <summary>Which camera events become alarms (AlarmRules): states turning on, per category and camera, quiet outside allowed hours.</summary>
public sealed class AlarmRulesTests
{
    // Tuesday 24 November 2026, 12:00 UTC = 13:00 in Göteborg.
    private static readonly DateTimeOffset Noon = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(CameraEventCategory.Tamper, CameraCategory.School, AlarmSeverity.Major)]
    [InlineData(CameraEventCategory.VideoLoss, CameraCategory.Traffic, AlarmSeverity.Major)]
    [InlineData(CameraEventCategory.DigitalInput, CameraCategory.HousingGarage, AlarmSeverity.Warning)]
    [InlineData(CameraEventCategory.Motion, CameraCategory.HousingGarage, AlarmSeverity.Info)]
    [InlineData(CameraEventCategory.Motion, CameraCategory.Traffic, null)]
    [InlineData(CameraEventCategory.Other, CameraCategory.School, null)]
    public void A_state_turning_on_raises_by_its_category_and_the_cameras(CameraEventCategory category, CameraCategory camera, AlarmSeverity? expected) =>
        Assert.Equal(expected, AlarmRules.Decide(Message(category, "true", "Changed"), Camera(camera, "always"), null, Noon));

    [Fact]
    public void Initialized_states_and_states_turning_off_never_raise()
    {
        Assert.Null(AlarmRules.Decide(Message(CameraEventCategory.Tamper, "true", "Initialized"), Camera(CameraCategory.School, "always"), null, Noon));
        Assert.Null(AlarmRules.Decide(Message(CameraEventCategory.Tamper, "false", "Changed"), Camera(CameraCategory.School, "always"), null, Noon));
    }

    [Fact]
    public void A_camera_outside_its_allowed_hours_is_quiet_and_raises_again_inside_them()
    {
        var nights = Camera(CameraCategory.School, "Mon-Fri 18:00-07:00");
        var tamper = Message(CameraEventCategory.Tamper, "true", "Changed");

        Assert.Null(AlarmRules.Decide(tamper, nights, null, Noon));
        Assert.Equal(AlarmSeverity.Major, AlarmRules.Decide(tamper, nights, null, Noon.AddHours(8)));
    }

    [Fact]
    public void A_cameras_own_categories_narrow_the_defaults_or_add_to_them()
    {
        var garage = Camera(CameraCategory.HousingGarage, "always");
        var onlyInputs = new EventIntakeSetting { CameraId = "GAR-1", ChangedBy = "test", AlarmCategories = [CameraEventCategory.DigitalInput, CameraEventCategory.Other] };

        Assert.Null(AlarmRules.Decide(Message(CameraEventCategory.Motion, "true", "Changed"), garage, onlyInputs, Noon));
        Assert.Equal(AlarmSeverity.Warning, AlarmRules.Decide(Message(CameraEventCategory.DigitalInput, "true", "Changed"), garage, onlyInputs, Noon));
        Assert.Equal(AlarmSeverity.Info, AlarmRules.Decide(Message(CameraEventCategory.Other, "true", "Changed"), garage, onlyInputs, Noon));
    }

    private static OnvifNotification Message(CameraEventCategory category, string state, string operation) =>
        new("tns1:Test", "Test", category, Noon, Noon, operation, new Dictionary<string, string>(), new Dictionary<string, string>(),
            new Dictionary<string, string> { ["State"] = state }, "<NotificationMessage/>");

    private static CameraSource Camera(CameraCategory category, string hours) =>
        new("CAM-1", "Kamera", "owner", category, CameraMode.LiveAndRecorded, CameraStatus.Active, true, hours, 14, null, null,
            RtspTransport.Tcp, null, null, new MaskingProfile(), []);
}
