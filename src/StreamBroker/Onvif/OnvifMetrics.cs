using System.Diagnostics.Metrics;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>
/// ONVIF's instruments (meter <see cref="MeterName"/>): every SOAP call by operation and outcome with its duration, and
/// the event subscriptions held now. Operations are the client's own names (a few dozen), so labels stay bounded.
/// </summary>
public static class OnvifMetrics
{
    /// <summary>The meter's name, for the host's OpenTelemetry set-up.</summary>
    public const string MeterName = "CameraHub.Onvif";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("camerahub.onvif.requests",
        description: "ONVIF calls by operation and outcome (ok, fault, not_authorized, not_supported, timeout, unreachable, protocol)");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("camerahub.onvif.request_seconds",
        description: "How long ONVIF calls took, by operation, in seconds");
    private static readonly UpDownCounter<int> Subscriptions = Meter.CreateUpDownCounter<int>("camerahub.onvif.event_subscriptions",
        description: "ONVIF pull-point event subscriptions held now");

    /// <summary>Starts the subscription gauge at zero so it is exported before the first camera subscribes.</summary>
    public static void StartAtZero() => Subscriptions.Add(0);

    internal static void Call(string operation, string outcome, TimeSpan took)
    {
        var op = new KeyValuePair<string, object?>("operation", operation);
        Requests.Add(1, op, new KeyValuePair<string, object?>("outcome", outcome));
        Duration.Record(took.TotalSeconds, op);
    }

    /// <summary>The outcome label of a call that threw.</summary>
    internal static string Outcome(Exception e) => e switch
    {
        OnvifNotAuthorizedException => "not_authorized",
        OnvifActionNotSupportedException => "not_supported",
        OnvifFaultException => "fault",
        OnvifTimeoutException => "timeout",
        OnvifConnectionException => "unreachable",
        _ => "protocol",
    };

    internal static void SubscriptionOpened() => Subscriptions.Add(1);

    internal static void SubscriptionClosed() => Subscriptions.Add(-1);
}
