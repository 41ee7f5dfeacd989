using System.Security.Cryptography;
using System.Text;
using CameraHub.StreamBroker.Sharing;

namespace CameraHub.StreamBroker.Tests.Sharing;

public sealed class DigestAuthenticatorTests
{
#pragma warning disable CA5351 // the client's side of RFC 2617, computed independently
    private static string Md5(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));
#pragma warning restore CA5351

    [Fact]
    public void A_client_response_computed_from_the_password_verifies_against_the_stored_HA1_and_a_wrong_one_does_not()
    {
        const string nonce = "0123456789abcdef";
        const string uri = "rtsp://127.0.0.1:8554/TRF-T-01";
        var ha1 = DigestAuthenticator.Ha1("vasttrafik-a1b2c3", "s3cret");
        Assert.Equal(Md5("vasttrafik-a1b2c3:CameraHub:s3cret"), ha1);
        var good = Md5($"{Md5("vasttrafik-a1b2c3:CameraHub:s3cret")}:{nonce}:{Md5($"DESCRIBE:{uri}")}");
        var bad = Md5($"{Md5("vasttrafik-a1b2c3:CameraHub:guess")}:{nonce}:{Md5($"DESCRIBE:{uri}")}");

        var parsed = DigestAuthenticator.Parse($"Digest username=\"vasttrafik-a1b2c3\", realm=\"CameraHub\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{good}\"")!;
        Assert.Equal(uri, parsed.Uri);
        Assert.True(DigestAuthenticator.Verify(parsed, "DESCRIBE", nonce, ha1));
        Assert.False(DigestAuthenticator.Verify(parsed, "DESCRIBE", "another-nonce", ha1));
        Assert.False(DigestAuthenticator.Verify(parsed with { Response = bad }, "DESCRIBE", nonce, ha1));
        Assert.False(DigestAuthenticator.Verify(parsed, "PLAY", nonce, ha1));
    }

    [Fact]
    public void Qop_auth_responses_are_verified_too()
    {
        var ha1 = DigestAuthenticator.Ha1("u", "p");
        var response = Md5($"{ha1}:n:00000001:c:auth:{Md5("PLAY:rtsp://h/c/")}");
        var parsed = DigestAuthenticator.Parse($"Digest username=\"u\", realm=\"CameraHub\", nonce=\"n\", uri=\"rtsp://h/c/\", qop=auth, nc=00000001, cnonce=\"c\", response=\"{response}\"")!;
        Assert.True(DigestAuthenticator.Verify(parsed, "PLAY", "n", ha1));
        Assert.Null(DigestAuthenticator.Parse("Basic dTpw"));
    }
}
