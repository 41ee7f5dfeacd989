using System.Globalization;
using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Onvif.Events;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>What the Events client reads out of every real events capture in Fixtures/ (one theory row per file).</summary>
public sealed class OnvifEventsFixtureTests
{
    private const string Ubnt = "ubiquiti-protect-onvif-event-listener/";
    private static readonly Uri Service = new("http://192.0.2.99/onvif/event_service");

    public static TheoryData<string, string, string?, string?, string?> Subscriptions => new()
    {
        // file, address (as sent; empty: the events service), reference parameter, current time, termination time
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_events_CreatePullPointSubscription.xml", "http://192.0.2.13/onvif/Events/PullSubManager_2026-10-07%17:46:23_0", null, "2026-10-07T17:46:23Z", "2026-10-07T17:47:23Z" },
        { "2BAD_onvif/dvc_DCN-BM2220LPR_events_CreatePullPointSubscription.xml", "http://192.0.2.14:80/onvif/event/subsription_3", null, "2026-09-28T04:01:39Z", "2026-09-28T04:02:39Z" },
        { "2BAD_onvif/dvc_DRN-3282R_events_CreatePullPointSubscription.xml", "http://192.0.2.14/onvif/event/subsription_0", null, "2026-10-03T03:15:34Z", "2026-10-03T03:16:34Z" },
        { "ex_onvif/hikvision_events_CreatePullPointSubscription.xml", "http://192.168.8.120/onvif/Events/PullSubManager_20250415T164937Z_0", null, "2025-04-15T16:49:37Z", "2025-04-15T16:50:37Z" },
        { "onvif-nvt/axis_Q6045-E_events_CreatePullPointSubscription.xml", "http://192.168.0.19/onvif/services", "SubscriptionId=5", "2018-02-27T23:10:30Z", "2018-03-27T23:10:30Z" },
        { "onvif-nvt/hikvision_DS-2CD2012-I_events_CreatePullPointSubscription.xml", "http://10.10.1.65/onvif/Events/PullSubManager_2018-02-27T18:34:42Z_1", null, "2018-02-27T18:34:42Z", "2018-02-27T18:35:42Z" },
        { "onvif-nvt/hikvision_DS-2DF7276-AEL_events_CreatePullPointSubscription.xml", "http://10.10.1.60/onvif/Events/PullSubManager_2018-02-27T18:28:52Z_5", null, "2018-02-27T18:28:52Z", "2018-02-27T18:29:52Z" },
        { "onvif-nvt/trendnet_TV-IP320PI_events_CreatePullPointSubscription.xml", "http://10.10.1.67/onvif/Events/PullSubManager_2018-02-27T18:36:53Z_0", null, "2018-02-27T18:36:53Z", "2018-02-27T18:37:53Z" },
        { "python-onvif-zeep-async/unknown-gsoap_events_CreatePullPointSubscription_EmptyAddress_Epoch.xml", "", null, "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z" },
        { Ubnt + "dahua-family_cellmotion-cam_events_CreatePullPointSubscription.xml", "http://1.1.1.3/onvif/Subscription?Idx=0", null, "2026-03-21T17:05:39Z", "2026-03-21T17:07:39Z" },
        { Ubnt + "reolink_bullet_events_CreatePullPointSubscription.xml", "http://192.168.1.200:8000/onvif/PullSubManager?Idx=90264311", null, "2026-04-08T14:35:49Z", "2026-04-08T14:37:49Z" },
    };

    [Theory]
    [MemberData(nameof(Subscriptions))]
    public void Reads_the_subscription_address_reference_parameters_and_times(string file, string address, string? parameter, string? current, string? termination)
    {
        var subscription = OnvifEventResponses.Subscription(Fixture.Response(file, "CreatePullPointSubscription"), Service, u => u);

        Assert.Equal(address.Length == 0 ? Service.OriginalString : address, subscription.Address.OriginalString);
        Assert.Equal(parameter, subscription.ReferenceParameters.Select(p => $"{p.Name.LocalName}={p.Value}").SingleOrDefault());
        Assert.Equal(Time(current), subscription.CurrentTime);
        Assert.Equal(Time(termination), subscription.TerminationTime);
    }

    [Fact]
    public void Keeps_a_raw_percent_in_the_subscription_path_as_the_camera_wrote_it()
    {
        var subscription = OnvifEventResponses.Subscription(
            Fixture.Response("2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_events_CreatePullPointSubscription.xml", "CreatePullPointSubscription"), Service, u => u);

        Assert.Equal("/onvif/Events/PullSubManager_2026-10-07%17:46:23_0", subscription.Address.PathAndQuery);
    }

    public static TheoryData<string, int, string?, CameraEventCategory, string?, string?, string?> Pulls => new()
    {
        // file, messages, first topic, its category, its UtcTime, its PropertyOperation, its data "Name=Value,…"
        { "2BAD_onvif/dvc_DCN-BF5365_events_PullMessages_MotionTrue.xml", 2, "tns1:VideoSource/MotionAlarm", CameraEventCategory.Motion, "2026-10-03T02:56:20Z", "Changed", "State=true" },
        { "2BAD_onvif/dvc_DCN-BM2220LPR_events_PullMessages_Initialized_DigitalInput_GlobalSceneChange.xml", 7, "tns1:Device/Trigger/DigitalInput", CameraEventCategory.DigitalInput, "2026-09-28T04:01:39.352Z", "Initialized", "LogicalState=false" },
        { "2BAD_onvif/dvc_DCN-BM2220LPR_events_PullMessages_MotionFalse.xml", 2, "tns1:VideoSource/MotionAlarm", CameraEventCategory.Motion, "2026-10-01T04:14:53.404Z", "Changed", "State=false" },
        { "2BAD_onvif/dvc_DCN-BM2220LPR_events_PullMessages_MotionTrue.xml", 2, "tns1:VideoSource/MotionAlarm", CameraEventCategory.Motion, "2026-10-01T04:14:37.113Z", "Changed", "State=true" },
        { "2BAD_onvif/dvc_DRN-3282R_events_PullMessages_Initialized_14ch_DigitalInput_Relay.xml", 50, "tns1:VideoSource/MotionAlarm", CameraEventCategory.Motion, "2026-10-03T03:15:35Z", "Initialized", "State=false" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_events_PullMessages_Initialized.xml", 6, "tns1:RuleEngine/CellMotionDetector/Motion", CameraEventCategory.Motion, "2026-10-07T17:46:23Z", "Initialized", "IsMotion=false" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_events_PullMessages_MotionAlarmFalse.xml", 1, "tns1:VideoSource/MotionAlarm", CameraEventCategory.Motion, "2026-10-07T18:42:16Z", "Changed", "State=false" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_events_PullMessages_MotionAlarmTrue.xml", 1, "tns1:VideoSource/MotionAlarm", CameraEventCategory.Motion, "2026-10-07T18:41:46Z", "Changed", "State=true" },
        { "ex_onvif/hikvision_PullMessages.xml", 8, "tns1:VideoSource/MotionAlarm", CameraEventCategory.Motion, "2025-04-18T20:34:05Z", "Initialized", "State=false" },
        { "onvif-nvt/hikvision_DS-2CD2012-I_events_PullMessages_Empty.xml", 0, null, CameraEventCategory.Other, null, null, null },
        { "onvif-nvt/hikvision_DS-2DF7276-AEL_events_PullMessages_Empty.xml", 0, null, CameraEventCategory.Other, null, null, null },
        { "onvif-nvt/trendnet_TV-IP320PI_events_PullMessages_ProcessorUsage.xml", 1, "tns1:Monitoring/ProcessorUsage", CameraEventCategory.Other, "2018-02-27T18:36:53Z", "Changed", "Value=75" },
        { "python-onvif-zeep-async/unknown_events_PullMessages_Empty_TerminationTimeMinute61.xml", 0, null, CameraEventCategory.Other, null, null, null },
        { Ubnt + "dahua-family_cellmotion-cam_events_PullMessages_Empty.xml", 0, null, CameraEventCategory.Other, null, null, null },
        { Ubnt + "dahua-family_cellmotion-cam_events_PullMessages_Initialized.xml", 7, "tns1:RuleEngine/CellMotionDetector/Motion", CameraEventCategory.Motion, "2026-03-21T17:05:40Z", "Initialized", "IsMotion=false" },
        { Ubnt + "dahua-family_cellmotion-cam_events_PullMessages_MotionFalse.xml", 2, "tns1:RuleEngine/CellMotionDetector/Motion", CameraEventCategory.Motion, "2026-03-21T17:08:17Z", "Changed", "IsMotion=false" },
        { Ubnt + "dahua-family_cellmotion-cam_events_PullMessages_MotionTrue.xml", 2, "tns1:RuleEngine/CellMotionDetector/Motion", CameraEventCategory.Motion, "2026-03-21T17:08:10Z", "Changed", "IsMotion=true" },
        { Ubnt + "dahua-family_ivs-cam_events_PullMessages_DigitalInput_Relay_Initialized.xml", 5, "tns1:VideoSource/GlobalSceneChange/AnalyticsService", CameraEventCategory.Tamper, "2026-02-19T08:57:52Z", "Initialized", "State=false" },
        { Ubnt + "dahua-family_ivs-cam_events_PullMessages_FieldDetector_ObjectsInside.xml", 1, "tns1:RuleEngine/FieldDetector/ObjectsInside", CameraEventCategory.Analytics, "2026-02-19T09:01:55Z", "Changed", "IsInside=true" },
        { Ubnt + "reolink_bullet_events_PullMessages_Initialized.xml", 6, "tns1:RuleEngine/CellMotionDetector/Motion", CameraEventCategory.Motion, "2026-04-08T14:35:49Z", "Initialized", "IsMotion=false" },
    };

    [Theory]
    [MemberData(nameof(Pulls))]
    public void Reads_each_notification_with_its_topic_category_time_operation_and_data(
        string file, int count, string? topic, CameraEventCategory category, string? utc, string? operation, string? data)
    {
        var pull = OnvifEventResponses.PullMessages(Fixture.Response(file, "PullMessages"), TimeSpan.Zero);

        Assert.Equal(count, pull.Messages.Count);
        Assert.NotNull(pull.CurrentTime);
        if (count == 0)
        {
            return;
        }

        var first = pull.Messages[0];
        Assert.Equal(topic, first.Topic);
        Assert.Equal(category, first.Category);
        Assert.Equal(Time(utc), first.CameraTime);
        Assert.Equal(operation, first.Operation);
        Assert.Equal(data, string.Join(',', first.Data.Select(d => $"{d.Key}={d.Value}")));
        Assert.Contains("NotificationMessage", first.RawXml);
    }

    [Fact]
    public void Keeps_source_key_and_rule_of_an_analytics_event_and_reads_its_state()
    {
        var pull = OnvifEventResponses.PullMessages(
            Fixture.Response(Ubnt + "dahua-family_ivs-cam_events_PullMessages_FieldDetector_ObjectsInside.xml", "PullMessages"), TimeSpan.Zero);

        var message = Assert.Single(pull.Messages);
        Assert.Equal("RuleEngine/FieldDetector/ObjectsInside", message.TopicPath);
        Assert.Equal("Vehicle", message.Source["Rule"]);
        Assert.Equal("3379", message.Key["ObjectId"]);
        Assert.True(message.Active);
        Assert.False(message.IsInitialState);
    }

    [Fact]
    public void Sorts_a_fourteen_channel_nvrs_initial_states_into_motion_inputs_tamper_and_relays()
    {
        var pull = OnvifEventResponses.PullMessages(
            Fixture.Response("2BAD_onvif/dvc_DRN-3282R_events_PullMessages_Initialized_14ch_DigitalInput_Relay.xml", "PullMessages"), TimeSpan.Zero);

        var counts = pull.Messages.GroupBy(m => m.Category).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(14, counts[CameraEventCategory.Motion]);
        Assert.Equal(14, counts[CameraEventCategory.DigitalInput]);
        Assert.Equal(14, counts[CameraEventCategory.Tamper]);
        Assert.Equal(8, counts[CameraEventCategory.Other]);
        Assert.All(pull.Messages, m => Assert.True(m.IsInitialState));
        Assert.DoesNotContain(pull.Messages, m => m.Source.Values.Contains("entities_1_0_10"));
    }

    [Fact]
    public void Reads_a_termination_time_with_minute_61_as_an_hour_and_a_minute_on()
    {
        var pull = OnvifEventResponses.PullMessages(
            Fixture.Response("python-onvif-zeep-async/unknown_events_PullMessages_Empty_TerminationTimeMinute61.xml", "PullMessages"), TimeSpan.Zero);

        Assert.Equal(Time("2024-08-17T00:56:16Z"), pull.CurrentTime);
        Assert.Equal(Time("2024-08-17T01:01:16Z"), pull.TerminationTime);
    }

    [Fact]
    public void Moves_event_times_into_our_clock_by_the_cameras_skew()
    {
        // The camera runs 90 s ahead: its 17:08:10 is our 17:06:40.
        var pull = OnvifEventResponses.PullMessages(
            Fixture.Response(Ubnt + "dahua-family_cellmotion-cam_events_PullMessages_MotionTrue.xml", "PullMessages"), TimeSpan.FromSeconds(90));

        Assert.Equal(Time("2026-03-21T17:08:10Z"), pull.Messages[0].CameraTime);
        Assert.Equal(Time("2026-03-21T17:06:40Z"), pull.Messages[0].OccurredAt);
    }

    public static TheoryData<string, int, string, CameraEventCategory, string> Properties => new()
    {
        // file, topics (repeated roots merged), one topic, its category, its data items
        { "2BAD_onvif/dvc_DCN-BM2220LPR_events_GetEventProperties.xml", 27, "Device/Trigger/DigitalInput", CameraEventCategory.DigitalInput, "LogicalState" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_events_GetEventProperties.xml", 27, "Monitoring/OperatingTime/LastReboot", CameraEventCategory.Other, "Status" },
        { "ex_onvif/hikvision_events_GetEventProperties.xml", 31, "RuleEngine/TamperDetector/Tamper", CameraEventCategory.Tamper, "IsTamper" },
        { "onvif-nvt/axis_Q6045-E_events_GetEventProperties.xml", 25, "VideoAnalytics/MotionDetection", CameraEventCategory.Motion, "motion" },
        { "onvif-nvt/hikvision_DS-2CD2012-I_events_GetEventProperties.xml", 23, "RuleEngine/LineDetector/Crossed", CameraEventCategory.Analytics, "ObjectId" },
        { "onvif-nvt/hikvision_DS-2DF7276-AEL_events_GetEventProperties.xml", 20, "VideoSource/SignalLoss", CameraEventCategory.VideoLoss, "State" },
        { "onvif-nvt/trendnet_TV-IP320PI_events_GetEventProperties.xml", 30, "VideoSource/MotionAlarm", CameraEventCategory.Motion, "State" },
    };

    [Theory]
    [MemberData(nameof(Properties))]
    public void Reads_the_topic_set_a_camera_offers(string file, int count, string path, CameraEventCategory category, string items)
    {
        var properties = OnvifEventResponses.EventProperties(Fixture.Response(file, "GetEventProperties"));

        Assert.Equal(count, properties.Topics.Count);
        var topic = Assert.Single(properties.Topics, t => t.Path == path);
        Assert.Equal(category, topic.Category);
        Assert.Equal(items, string.Join(',', topic.DataItems));
    }

    [Fact]
    public void Marks_states_and_pulses_as_the_camera_describes_them()
    {
        var topics = OnvifEventResponses.EventProperties(
            Fixture.Response("onvif-nvt/hikvision_DS-2DF7276-AEL_events_GetEventProperties.xml", "GetEventProperties")).Topics.ToDictionary(t => t.Path);

        Assert.True(topics["VideoSource/MotionAlarm"].IsProperty);
        Assert.False(topics["Device/HardwareFailure/HardDiskFull"].IsProperty);
        Assert.Null(topics["Device/Network/EthernetBroken"].IsProperty);
        Assert.Equal(CameraEventCategory.DigitalInput, topics["Device/Trigger/AlarmIn"].Category);
        Assert.Equal(CameraEventCategory.Other, topics["Device/Trigger/Relay"].Category);
    }

    public static TheoryData<string, string, string> EmptyAnswers => new()
    {
        { "2BAD_onvif/dvc_DCN-BM2220LPR_events_Unsubscribe.xml", "Unsubscribe", "" },
        { "2BAD_onvif/dvc_DRN-3282R_events_Unsubscribe.xml", "Unsubscribe", "" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_events_Unsubscribe.xml", "Unsubscribe", "" },
        { "onvif-nvt/hikvision_DS-2CD2012-I_events_SetSynchronizationPoint.xml", "SetSynchronizationPoint", "" },
        { "onvif-nvt/hikvision_DS-2DF7276-AEL_events_SetSynchronizationPoint.xml", "SetSynchronizationPoint", "" },
        { "onvif-nvt/trendnet_TV-IP320PI_events_SetSynchronizationPoint.xml", "SetSynchronizationPoint", "" },
        { Ubnt + "dahua-family_cellmotion-cam_events_Renew.xml", "Renew", "2026-03-21T17:09:13Z" },
    };

    [Theory]
    [MemberData(nameof(EmptyAnswers))]
    public void Reads_renew_unsubscribe_and_synchronisation_answers(string file, string operation, string termination)
    {
        var response = SoapEnvelope.ReadResponse(operation, 200, null, Fixture.Text(file), operation + "Response");

        Assert.Equal(termination.Length == 0 ? null : Time(termination), OnvifEventResponses.Renew(response));
    }

    public static TheoryData<string, int, string, string> Faults => new()
    {
        // file, HTTP status it came with, exception type, message
        { "2BAD_onvif/dvc_DRN-3282R_events_Fault_GetEventProperties_InvalidArgVal.xml", 200, nameof(OnvifFaultException), "GetEventProperties: Sender/InvalidArgVal: The param invalid." },
        { "onvif-nvt/axis_Q6045-E_events_Fault_CreatePullPointSubscription_SubscribeCreationFailed.xml", 500, nameof(OnvifFaultException), "CreatePullPointSubscription: Receiver: SubscribeCreationFailedFault" },
        { "onvif-nvt/axis_Q6045-E_events_Fault_PullMessages_InvalidArgs.xml", 400, nameof(OnvifFaultException), "PullMessages: Sender/InvalidArgs: " },
        { "onvif-nvt/axis_Q6045-E_events_Fault_SetSynchronizationPoint_InvalidArgs.xml", 400, nameof(OnvifFaultException), "SetSynchronizationPoint: Sender/InvalidArgs: " },
        { Ubnt + "hikvision_DS-2CD2387G2P-LSU-SL_events_Fault_CreatePullPointSubscription_NotAuthorized_400.xml", 400, nameof(OnvifNotAuthorizedException), "CreatePullPointSubscription: the camera refused the credentials (The action requested requires authorization and the sender is not authorized)" },
        { Ubnt + "thingino_wyze_events_CreatePullPointSubscription_404_body_NOT_XML.html", 404, nameof(OnvifProtocolException), "CreatePullPointSubscription: HTTP 404 (text/html) is an HTML page, not SOAP: \"404 Not Found The requested URL was not found\"" },
        { Ubnt + "unknown_html404-cam_events_CreatePullPointSubscription_200_body_NOT_XML.html", 200, nameof(OnvifProtocolException), "CreatePullPointSubscription: HTTP 200 (text/html) is an HTML page, not SOAP: \"The requested URL was not found on this server\"" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void Turns_event_service_faults_and_html_into_typed_errors(string file, int status, string type, string message)
    {
        var operation = message[..message.IndexOf(':', StringComparison.Ordinal)];
        var contentType = file.EndsWith(".html", StringComparison.Ordinal) ? "text/html" : "application/soap+xml";

        var error = Assert.IsAssignableFrom<OnvifException>(Record.Exception(
            () => SoapEnvelope.ReadResponse(operation, status, contentType, Fixture.Text(file), operation + "Response")));

        Assert.Equal(type, error.GetType().Name);
        Assert.Equal(message, error.Message);
    }

    /// <summary>The files these theories assert, for the fixture-coverage check.</summary>
    internal static IEnumerable<string> Covered =>
        new IEnumerable<object?[]>[] { Subscriptions, Pulls, Properties, EmptyAnswers, Faults }.SelectMany(d => d.Select(row => (string)row[0]!));

    private static DateTimeOffset? Time(string? text) =>
        text is null ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
}
