using CameraHub.StreamBroker.Onvif;
using CameraHub.StreamBroker.Onvif.Discovery;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>What the client reads out of every real capture in Fixtures/ (one theory row per file).</summary>
public sealed class OnvifFixtureTests
{
    public static TheoryData<string, string, string, string, string> DeviceInformation => new()
    {
        { "2BAD_onvif/dvc_DCN-BM2220LPR_GetDeviceInformation.xml", "DVC", "DCN-BM2220LPR", "5.1", "REDACTED1" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_GetDeviceInformation.xml", "EZVIZ", "DS-2DE2C400IG-W-W", "V5.3.8 build 260123", "REDACTED1" },
        { "ONVIF-Camera-Kotlin/axis_M2025-LE_GetDeviceInformation.xml", "AXIS", "M2025-LE", "9.80.3.13", "B8A44F26437D" },
        { "easy_onvif/dlink_DCS-6511_GetDeviceInformation.xml", "D-Link Corporation", "DCS-6511", "1.16.00", "F07D68099FCA" },
        { "easy_onvif/hikvision-oem_ENP1A14_GetDeviceInformation.xml", "ONVIF", "ENP1A14-IR/25X", "V5.5.3 build 180822", "ENP1A14-IR/25X20190430AAWRD14878498W" },
        { "easy_onvif/ipnc_IPG-8150PSS_GetDeviceInformation.xml", "ONVIF_IPNC", "IPG-8150PSS", "1.3.0-20210203CN-PT", "I207215E7840DFDA9877E8B" },
        { "easy_onvif/uniview-oem_GX728MF-IR28_GetDeviceInformation.xml", "NONE", "GX728MF-IR28", "IPC_G6106-B0005P11D1812C03", "210235T8HQ3197000191" },
        { "easy_onvif/uniview-oem_SUNBA-Performance_GetDeviceInformation.xml", "SUNBA", "Performance-Series", "QIPC-B2202.3.73.C06290.NB.230628", "210231T2H63235000045" },
        { "easy_onvif/unknown-gsoap_IPD-H4K8M05-BS_GetDeviceInformation.xml", "", "IPD-H4K8M05-BS", "V1.04.10-190309", "071D3E36963F" },
        { "easy_onvif/xiongmai_XM530-SUNBA405_GetDeviceInformation.xml", "H264", "XM530_50X50-WG_8M", "V5.00.R02.L5330747.10010.349917..ONVIF 16.12", "f0d2d8a9c5380a0f" },
        { "ex_onvif/milesight_MS-C8165-PE_GetDeviceInformation.xml", "Milesight Technology Co.,Ltd.", "MS-C8165-PE", "61.8.0.3-r8", "EM82V102329001403" },
    };

    [Theory]
    [MemberData(nameof(DeviceInformation))]
    public void Reads_manufacturer_model_firmware_and_serial(string file, string manufacturer, string model, string firmware, string serial)
    {
        var info = OnvifResponses.DeviceInformation(Fixture.Response(file, "GetDeviceInformation"));

        Assert.Equal(manufacturer, info.Manufacturer);
        Assert.Equal(model, info.Model);
        Assert.Equal(firmware, info.FirmwareVersion);
        Assert.Equal(serial, info.SerialNumber);
    }

    public static TheoryData<string, string, string> SystemDateAndTime => new()
    {
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_GetSystemDateAndTime.xml", "2026-10-07T17:46:20Z", "EST-1:00:00" },
        { "easy_onvif/hikvision-oem_ENP1A14_GetSystemDateAndTime.xml", "2023-03-06T14:13:45Z", "EST+5:00:00EDT04:00:00,M3.5.0/01:00:00,M10.5.0/02:00:00" },
        { "easy_onvif/uniview-oem_SUNBA-Performance_GetSystemDateAndTime.xml", "2024-04-05T17:16:28Z", "CST5:00:00" },
        { "easy_onvif/xiongmai_XM530-SUNBA405_GetSystemDateAndTime.xml", "2025-04-27T01:27:42Z", "CST6CDT:" },
    };

    [Theory]
    [MemberData(nameof(SystemDateAndTime))]
    public void Reads_the_device_clock_in_utc_not_its_local_time(string file, string utc, string timeZonePrefix)
    {
        var clock = OnvifResponses.SystemDateAndTime(Fixture.Response(file, "GetSystemDateAndTime"));

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), clock.DeviceUtc);
        Assert.StartsWith(timeZonePrefix, clock.TimeZone);
    }

    public static TheoryData<string, string?, string?, string?, string?, string?> Services => new()
    {
        // file, media, media2, ptz, recording, replay
        { "ONVIF-Camera-Kotlin/axis_GetServices.xml", "http://192.168.0.209/onvif/services", "http://192.168.0.209/onvif/services", null, "http://192.168.0.209/onvif/services", "http://192.168.0.209/onvif/services" },
        { "easy_onvif/hikvision-oem_ENP1A14_GetServices.xml", "http://192.168.1.182/onvif/Media", "http://192.168.1.182/onvif/Media2", "http://192.168.1.182/onvif/PTZ", "http://192.168.1.182/onvif/Recording", "http://192.168.1.182/onvif/Replay" },
        { "easy_onvif/ipnc_IPG-8150PSS_GetServices.xml", "http://10.200.1.2/onvif/media_service", "http://10.200.1.2/onvif/media2_service", "http://10.200.1.2/onvif/ptz_service", null, null },
        { "easy_onvif/uniview-oem_SUNBA-Performance_GetServices.xml", "http://162.191.54.181/onvif/media", "http://162.191.54.181/onvif/media2", "http://162.191.54.181/onvif/ptz", "http://162.191.54.181/onvif/recording", "http://162.191.54.181/onvif/replay" },
        { "easy_onvif/xiongmai_XM530-SUNBA405_GetServices.xml", "http://192.168.15.40:8899/onvif/Media", "http://192.168.15.40:8899/onvif/Media2", "http://192.168.15.40:8899/onvif/PTZ", null, null },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public void Finds_media_media2_ptz_recording_and_replay_addresses_in_GetServices(
        string file, string? media, string? media2, string? ptz, string? recording, string? replay)
    {
        var services = OnvifResponses.Services(Fixture.Response(file, "GetServices"), new Uri("http://camera/onvif/device_service"));

        Assert.Equal(media, services.Media?.ToString());
        Assert.Equal(media2, services.Media2?.ToString());
        Assert.Equal(ptz, services.Ptz?.ToString());
        Assert.Equal(recording, services.Recording?.ToString());
        Assert.Equal(replay, services.Replay?.ToString());
    }

    public static TheoryData<string, string, string?> Capabilities => new()
    {
        { "easy_onvif/dlink_DCS-6511_GetCapabilities.xml", "http://192.168.1.33/onvif/device_service", null },
        { "easy_onvif/uniview-oem_GX728MF-IR28_GetCapabilities.xml", "http://192.168.1.127/onvif/media", null },
    };

    [Theory]
    [MemberData(nameof(Capabilities))]
    public void Finds_the_media_address_in_GetCapabilities_of_older_devices(string file, string media, string? ptz)
    {
        var services = OnvifResponses.Capabilities(Fixture.Response(file, "GetCapabilities"), new Uri("http://camera/onvif/device_service"));

        Assert.Equal(media, services.Media?.ToString());
        Assert.Equal(ptz, services.Ptz?.ToString());
        Assert.Null(services.Media2);
    }

    public static TheoryData<string, string[], string?, int?, int?> Profiles => new()
    {
        // file, tokens, first encoder's encoding, width, height (of the first profile that has an encoder)
        { "ONVIF-Camera-Kotlin/axis_media1_GetProfiles.xml", ["profile_1_h264", "profile_1_jpeg"], "H264", 1920, 1080 },
        { "ONVIF-Camera-Kotlin/lorex_media1_GetProfiles.xml", ["Profile000", "Profile001"], "H264", 704, 480 },
        { "easy_onvif/dlink_DCS-6511_media1_GetProfiles.xml", ["Profile1", "Profile2"], "H264", 1280, 1024 },
        { "easy_onvif/hikvision-oem_ENP1A14_media1_GetProfiles.xml", ["Profile_1", "Profile_2", "Profile_3"], "H265", 2560, 1440 },
        { "easy_onvif/xiongmai_XM530-SUNBA405_media1_GetProfiles.xml", ["000", "001"], "H264", 2592, 1944 },
        // Media2 captures were taken without Type=All: names and tokens only, no encoder.
        { "easy_onvif/hikvision-oem_ENP1A14_media2_GetProfiles.xml", ["Profile_1", "Profile_2", "Profile_3"], null, null, null },
        { "easy_onvif/ipnc_IPG-8150PSS_media2_GetProfiles.xml", ["PROFILE_000", "PROFILE_001"], null, null, null },
        { "easy_onvif/uniview-oem_GX728MF-IR28_media2_GetProfiles.xml", ["media_profile1", "media_profile2", "media_profile3"], null, null, null },
    };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Lists_profiles_with_encoding_and_resolution(string file, string[] tokens, string? encoding, int? width, int? height)
    {
        var profiles = OnvifResponses.Profiles(Fixture.Response(file, "GetProfiles"));

        Assert.Equal(tokens, profiles.Select(p => p.Token));
        var first = profiles.FirstOrDefault(p => p.Encoding is not null);
        Assert.Equal(encoding, first?.Encoding);
        Assert.Equal(width, first?.Width);
        Assert.Equal(height, first?.Height);
    }

    [Fact]
    public void Keeps_the_names_frame_rates_and_second_stream_of_a_two_stream_camera()
    {
        var profiles = OnvifResponses.Profiles(Fixture.Response("easy_onvif/dlink_DCS-6511_media1_GetProfiles.xml", "GetProfiles"));

        Assert.Equal([7.0, 30.0], profiles.Select(p => p.FrameRate));
        Assert.Equal((640, 480), (profiles[1].Width, profiles[1].Height));
        Assert.Equal("mainStream", OnvifResponses.Profiles(Fixture.Response("easy_onvif/hikvision-oem_ENP1A14_media1_GetProfiles.xml", "GetProfiles"))[0].Name);
    }

    public static TheoryData<string, string, string> MediaUris => new()
    {
        { "2BAD_onvif/dvc_DCN-BM2220LPR_media2_GetStreamUri_trt2prefix.xml", "GetStreamUri", "rtsp://192.0.2.14:554/profile1" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_media2_GetStreamUri.xml", "GetStreamUri", "rtsp://192.0.2.13/Streaming/Channels/101?transportmode=unicast&profile=Profile_1" },
        { "ONVIF-Camera-Kotlin/axis_media2_GetStreamUri.xml", "GetStreamUri", "rtsp://192.168.0.209/onvif-media/media.amp?profile=profile_1_h264&sessiontimeout=60&streamtype=unicast" },
        { "agsh_onvif/gsoap-ptz-PREDATOR_GetStreamUri_echoedWSSecurity.xml", "GetStreamUri", "rtsp://192.168.68.111/h264main" },
        { "easy_onvif/hikvision-oem_ENP1A14_media1_GetStreamUri.xml", "GetStreamUri", "rtsp://192.168.1.182:554/Streaming/Channels/101?transportmode=mcast&profile=Profile_1" },
        { "easy_onvif/hikvision-oem_ENP1A14_media2_GetStreamUri.xml", "GetStreamUri", "rtsp://192.168.1.182/Streaming/Channels/101?transportmode=unicast&profile=Profile_1" },
        { "easy_onvif/ipnc_IPG-8150PSS_media2_GetStreamUri.xml", "GetStreamUri", "rtsp://10.200.1.2/live/0/MAIN" },
        { "easy_onvif/uniview-oem_SUNBA-Performance_media2_GetStreamUri.xml", "GetStreamUri", "rtsp://162.191.54.181/media/video1" },
        { "easy_onvif/unknown-gsoap_IPD-H4K8M05-BS_media1_GetStreamUri.xml", "GetStreamUri", "rtsp://192.168.15.40:554/1/h264major" },
        { "ONVIF-Camera-Kotlin/axis_media2_GetSnapshotUri.xml", "GetSnapshotUri", "http://192.168.0.209/onvif-cgi/jpg/image.cgi?resolution=1920x1080&compression=30" },
        { "easy_onvif/dlink_DCS-6511_media1_GetSnapshotUri.xml", "GetSnapshotUri", "http://192.168.1.33/dms?nowprofileid=1" },
        { "easy_onvif/hikvision-oem_ENP1A14_media2_GetSnapshotUri.xml", "GetSnapshotUri", "http://192.168.1.182/onvif-http/snapshot?Profile_1" },
    };

    [Theory]
    [MemberData(nameof(MediaUris))]
    public void Reads_stream_and_snapshot_uris_from_media1_and_media2_whatever_the_prefix(string file, string operation, string uri)
    {
        var response = SoapEnvelope.ReadResponse(operation, 200, null, Fixture.Text(file), operation + "Response");

        Assert.Equal(uri, OnvifResponses.MediaUri(operation, response));
    }

    [Fact]
    public void A_capture_that_is_the_request_echoed_back_is_a_protocol_error_not_a_stream_uri()
    {
        // The XiongMai "GetStreamUri" capture is the client's own request, as a confused device might echo it.
        var error = Assert.Throws<OnvifProtocolException>(() => SoapEnvelope.ReadResponse(
            "GetStreamUri", 200, null, Fixture.Text("easy_onvif/xiongmai_XM530-SUNBA405_media1_GetStreamUri.xml"), "GetStreamUriResponse"));

        Assert.Contains("expected <GetStreamUriResponse>, got <GetStreamUri>", error.Message);
    }

    public static TheoryData<string, int, string, string, string> Faults => new()
    {
        // file, HTTP status it came with, exception type, fault path, the device's own text
        { "2BAD_onvif/dvc_DCN-BM2220LPR_Fault_GetSystemDateAndTime_401.xml", 401, nameof(OnvifNotAuthorizedException), "Sender", "HTTP Error: 401 Unauthorized" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_Fault_UnknownAction.xml", 500, nameof(OnvifActionNotSupportedException), "Receiver/ActionNotSupported/InvalidOperation", "Optional Action Not Implemented" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_Fault_ptz_GotoPreset_Missing.xml", 400, nameof(OnvifFaultException), "Sender/InvalidArgVal/InvalidParameter", "the parameter value is illegal" },
        { "easy_onvif/hikvision-oem_ENP1A14_Fault_CreateUsers_WeakPassword.xml", 400, nameof(OnvifFaultException), "Sender/OperationProhibited/Password", "Too weak password." },
        { "easy_onvif/ipnc_IPG-8150PSS_Fault_ActionNotSupported.xml", 500, nameof(OnvifActionNotSupportedException), "Receiver/ActionNotSupported", "Action Not Implemented" },
        { "easy_onvif/uniview-oem_SUNBA-Performance_Fault_ActionNotSupported.xml", 500, nameof(OnvifActionNotSupportedException), "Receiver/ActionNotSupported", "Optional Action Not Implemented" },
        { "easy_onvif/unknown-gsoap_IPD-H4K8M05-BS_Fault_MethodNotImplemented.xml", 400, nameof(OnvifActionNotSupportedException), "Sender", "Method 'GetStorageConfigurations' not implemented: method name or namespace not recognized" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void Turns_each_vendors_fault_into_a_typed_error_with_the_devices_own_text(string file, int status, string type, string path, string text)
    {
        var error = Assert.ThrowsAny<OnvifException>(() => SoapEnvelope.ReadResponse("Op", status, "application/soap+xml", Fixture.Text(file), "OpResponse"));

        Assert.Equal(type, error.GetType().Name);
        Assert.Contains(text, error.Message);
        var fault = error switch
        {
            OnvifFaultException f => f.Fault,
            OnvifNotAuthorizedException n => n.Fault,
            _ => null,
        };
        Assert.NotNull(fault);
        Assert.StartsWith(path + ":", fault.ToString());
    }

    [Fact]
    public void An_html_401_page_is_a_clear_refusal_not_an_xml_exception()
    {
        var html = Fixture.Text("2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_GetSystemDateAndTime_401_body_NOT_XML.html");

        var error = Assert.Throws<OnvifNotAuthorizedException>(() => SoapEnvelope.ReadResponse("GetSystemDateAndTime", 401, "text/html", html));

        Assert.Equal("Access Error: 401 -- Unauthorized Authentication Error: This onvif request requires authentication information", error.DeviceText);
        Assert.Null(error.Fault);
    }

    [Fact]
    public void The_same_html_page_with_another_status_is_a_protocol_error_quoting_it()
    {
        var html = Fixture.Text("2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_GetSystemDateAndTime_401_body_NOT_XML.html");

        var error = Assert.Throws<OnvifProtocolException>(() => SoapEnvelope.ReadResponse("GetSystemDateAndTime", 403, "text/html", html));

        Assert.Contains("HTML page, not SOAP", error.Message);
        Assert.Contains("requires authentication information", error.Message);
        Assert.Equal(403, error.HttpStatus);
    }

    public static TheoryData<string, string, string[], string?, string?> ProbeMatches => new()
    {
        // file, endpoint reference, XAddrs, name scope, hardware scope
        { "2BAD_onvif/dvc_DCN-BM2220LPR_ProbeMatches.xml", "urn:uuid:00000000-0000-4000-8000-000000000008", ["http://192.0.2.14/onvif/device_service", "http://[fe80::7]/onvif/device_service"], "DVC", "DCN-BM2220LPR" },
        { "2BAD_onvif/dvc_DCN-BM2220LPR_ProbeMatches_SharedEndpoint1.xml", "urn:uuid:00000000-0000-4000-8000-000000000003", ["http://192.0.2.10/onvif/device_service", "http://[fe80::2]/onvif/device_service"], null, "DCN-BM2220LPR" },
        { "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_ProbeMatches.xml", "urn:uuid:00000000-0000-4000-8000-000000000012", ["http://192.0.2.13/onvif/device_service", "https://192.0.2.13/onvif/device_service"], "REDACTED5", "DS-2DE2C400IG-W-W" },
        { "ONVIF-Camera-Kotlin/amcrest_IP5M-B1186E_ProbeMatches.xml", "uuid:2a46daf1-86f6-91ad-5458-3d184eb186f6", ["http://192.168.0.205/onvif/device_service"], "Amcrest", "IP5M-B1186E" },
        { "ONVIF-Camera-Kotlin/axis_M2025-LE_ProbeMatches.xml", "urn:uuid:3ea96f68-b845-4c0b-87cf-eee904c4be65",
            ["http://192.168.0.209/onvif/device_service", "https://192.168.0.209/onvif/device_service", "http://169.254.251.249/onvif/device_service", "https://169.254.251.249/onvif/device_service"], "AXIS M2025-LE", "M2025-LE" },
    };

    [Theory]
    [MemberData(nameof(ProbeMatches))]
    public void Reads_discovery_replies_with_every_address_and_the_name_and_hardware_scopes(
        string file, string endpoint, string[] xaddrs, string? name, string? hardware)
    {
        var device = Assert.Single(WsDiscoveryProbe.ParseProbeMatches(Fixture.Text(file)));

        Assert.Equal(endpoint, device.EndpointReference);
        Assert.Equal(xaddrs, device.XAddrs.Select(x => x.ToString()));
        Assert.Equal(name, device.Name);
        Assert.Equal(hardware, device.Hardware);
        Assert.Contains("Streaming", device.Profiles);
    }

    [Fact]
    public void Reads_profile_g_recordings_with_their_tracks()
    {
        var recording = Assert.Single(OnvifResponses.Recordings(Fixture.Response("easy_onvif/hikvision-oem_ENP1A14_recording_GetRecordings.xml", "GetRecordings")));

        Assert.Equal("OnvifRecordingToken_1", recording.Token);
        Assert.Equal("IpCamera_1", recording.SourceName);
        Assert.Equal(["Video", "Audio", "Metadata"], recording.TrackTypes);
    }

    public static TheoryData<string, string, int> OtherResponses => new()
    {
        // Operations the client does not interpret yet: it still reads them as well-formed answers, whatever the prefixes.
        { "ex_onvif/gsoap-unknown_GetScopes_ProfileG-T.xml", "GetScopesResponse", 10 },
        { "ex_onvif/hikvision_PullMessages.xml", "PullMessagesResponse", 10 },
        { "easy_onvif/hikvision-oem_ENP1A14_ptz_GetPresets.xml", "GetPresetsResponse", 300 },
        { "easy_onvif/hikvision-oem_ENP1A14_ptz_GetStatus.xml", "GetStatusResponse", 1 },
        { "easy_onvif/unknown-gsoap_IPD-H4K8M05-BS_ptz_GetConfigurationOptions.xml", "GetConfigurationOptionsResponse", 1 },
        { "easy_onvif/hikvision-oem_ENP1A14_media1_GetVideoSources.xml", "GetVideoSourcesResponse", 1 },
    };

    [Theory]
    [MemberData(nameof(OtherResponses))]
    public void Reads_other_operations_answers_to_their_response_element(string file, string responseName, int children)
    {
        var response = SoapEnvelope.ReadResponse("Op", 200, null, Fixture.Text(file), responseName);

        Assert.Equal(children, response.Elements().Count());
    }

    [Fact]
    public void Computes_the_password_digest_a_real_client_sent_to_a_xiongmai_camera()
    {
        var request = SoapEnvelope.ParseXml("request", Fixture.Text("easy_onvif/xiongmai_XM530-SUNBA405_REQUEST_GetProfiles_WSSecurityDigest.xml")).Root!;
        var token = WsSecurity.ReadToken(request)!;

        Assert.Equal("admin", token.Username);
        Assert.Equal(WsSecurity.PasswordDigestType, token.PasswordType);
        Assert.Equal(token.Password, WsSecurity.Digest(token.Nonce, token.Created!, "admin"));
        Assert.NotEqual(token.Password, WsSecurity.Digest(token.Nonce, token.Created!, "admin1"));
    }

    [Fact]
    public void Every_capture_in_the_fixtures_is_asserted_by_a_test_above()
    {
        var covered = new IEnumerable<object?[]>[] { DeviceInformation, SystemDateAndTime, Services, Capabilities, Profiles, MediaUris, Faults, ProbeMatches, OtherResponses }
            .SelectMany(data => data.Select(row => (string)row[0]!))
            .Concat(OnvifEventsFixtureTests.Covered)
            .Concat(
            [
                "2BAD_onvif/ezviz_DS-2DE2C400IG-W-W_GetSystemDateAndTime_401_body_NOT_XML.html",
                "easy_onvif/xiongmai_XM530-SUNBA405_media1_GetStreamUri.xml",
                "easy_onvif/hikvision-oem_ENP1A14_recording_GetRecordings.xml",
                "easy_onvif/xiongmai_XM530-SUNBA405_REQUEST_GetProfiles_WSSecurityDigest.xml",
            ])
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(Fixture.All().Where(f => !covered.Contains(f)).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(Fixture.Directory, "SOURCES.md")), "the captures' SOURCES.md must travel with them");
    }
}
