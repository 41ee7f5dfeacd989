namespace CameraHub.StreamBroker.Onvif;

/// <summary>A SOAP fault as the device sent it: code, subcodes (outermost first) and its own reason text.</summary>
public sealed record OnvifFault(string Code, IReadOnlyList<string> Subcodes, string Reason)
{
    /// <summary>True when the code or any subcode has this local name (e.g. "NotAuthorized").</summary>
    public bool Has(string localName) =>
        LocalName(Code) == localName || Subcodes.Any(s => LocalName(s) == localName);

    /// <summary>"Receiver/ActionNotSupported/InvalidOperation: Optional Action Not Implemented".</summary>
    public override string ToString() =>
        $"{string.Join('/', new[] { Code }.Concat(Subcodes).Select(LocalName))}: {Reason}";

    private static string LocalName(string qualified) => qualified[(qualified.LastIndexOf(':') + 1)..];
}

/// <summary>Anything that went wrong talking ONVIF to a device; <see cref="Exception.Message"/> carries the device's own words.</summary>
public class OnvifException : Exception
{
    public OnvifException(string operation, string message, Exception? inner = null)
        : base($"{operation}: {message}", inner)
    {
        Operation = operation;
    }

    /// <summary>The ONVIF operation that failed, e.g. "GetProfiles".</summary>
    public string Operation { get; }

    /// <summary>The HTTP status the device answered with, when it answered at all.</summary>
    public int? HttpStatus { get; init; }
}

/// <summary>The device answered with a SOAP fault.</summary>
public class OnvifFaultException(string operation, OnvifFault fault, int? httpStatus)
    : OnvifException(operation, fault.ToString())
{
    public OnvifFault Fault { get; } = fault;

    /// <summary>The HTTP status that carried the fault.</summary>
    public int? FaultHttpStatus { get; } = httpStatus;
}

/// <summary>The device refused the credentials (SOAP NotAuthorized, or HTTP 401 with whatever body it chose).</summary>
public sealed class OnvifNotAuthorizedException : OnvifException
{
    public OnvifNotAuthorizedException(string operation, string deviceText, OnvifFault? fault)
        : base(operation, $"the camera refused the credentials ({deviceText})")
    {
        Fault = fault;
        DeviceText = deviceText;
        HttpStatus = 401;
    }

    /// <summary>The fault, when the device sent SOAP rather than e.g. an HTML page.</summary>
    public OnvifFault? Fault { get; }

    /// <summary>What the device said, verbatim (fault reason or the HTML's text).</summary>
    public string DeviceText { get; }
}

/// <summary>The device does not implement the operation (ter:ActionNotSupported, or a "method not implemented" fault).</summary>
public sealed class OnvifActionNotSupportedException(string operation, OnvifFault fault, int? httpStatus)
    : OnvifFaultException(operation, fault, httpStatus);

/// <summary>The answer was not usable ONVIF: an HTTP error without SOAP, HTML, truncated or malformed XML, a missing element.</summary>
public sealed class OnvifProtocolException(string operation, string message, Exception? inner = null)
    : OnvifException(operation, message, inner);

/// <summary>The device did not answer in time.</summary>
public sealed class OnvifTimeoutException(string operation, TimeSpan timeout, Exception? inner = null)
    : OnvifException(operation, $"no answer within {timeout.TotalSeconds:0.#} s", inner);

/// <summary>The device could not be reached at all (refused connection, unknown host).</summary>
public sealed class OnvifConnectionException(string operation, string message, Exception? inner = null)
    : OnvifException(operation, message, inner);
