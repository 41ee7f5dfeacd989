using System.Xml.Linq;

namespace CameraHub.StreamBroker.Onvif;

/// <summary>The XML namespaces ONVIF messages use; prefixes differ per device, namespaces do not.</summary>
public static class OnvifNamespaces
{
    public static readonly XNamespace Soap12 = "http://www.w3.org/2003/05/soap-envelope";
    public static readonly XNamespace Soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
    public static readonly XNamespace Device = "http://www.onvif.org/ver10/device/wsdl";
    public static readonly XNamespace Media = "http://www.onvif.org/ver10/media/wsdl";
    public static readonly XNamespace Media2 = "http://www.onvif.org/ver20/media/wsdl";
    public static readonly XNamespace Ptz = "http://www.onvif.org/ver20/ptz/wsdl";
    public static readonly XNamespace Recording = "http://www.onvif.org/ver10/recording/wsdl";
    public static readonly XNamespace Replay = "http://www.onvif.org/ver10/replay/wsdl";
    public static readonly XNamespace Search = "http://www.onvif.org/ver10/search/wsdl";
    public static readonly XNamespace Events = "http://www.onvif.org/ver10/events/wsdl";
    public static readonly XNamespace Imaging = "http://www.onvif.org/ver20/imaging/wsdl";
    public static readonly XNamespace Schema = "http://www.onvif.org/ver10/schema";
    public static readonly XNamespace Error = "http://www.onvif.org/ver10/error";
    public static readonly XNamespace WsSecurity = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    public static readonly XNamespace WsUtility = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    public static readonly XNamespace Addressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
    public static readonly XNamespace Discovery = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
    public static readonly XNamespace NetworkWsdl = "http://www.onvif.org/ver10/network/wsdl";
}
