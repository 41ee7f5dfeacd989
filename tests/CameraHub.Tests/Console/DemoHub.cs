using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.Composition;
using CameraHub.Tests.Infrastructure;
using CameraHub.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CameraHub.Tests.Console;

/// <summary>
/// The hub exactly as `scripts/run-demo.sh` starts it (sample city on SQLite, simulated cameras, demo users, recording),
/// listening on 127.0.0.1 and a free port, plus Debian's Chromium driven by Playwright. Shared by the console tests.
/// </summary>
public sealed class DemoHub : IAsyncLifetime
{
    public const string Password = HubFactory.Password;
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("camerahub-console-").FullName;

    public Uri Address { get; private set; } = null!;

    /// <summary>The running hub's services (for arranging what no API makes, e.g. a camera event at a given time).</summary>
    public IServiceProvider Services => _app!.Services;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests write the README's screenshots: docs/screenshots in the repository.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "docs", "screenshots");

    /// <summary>The sample city the demo loads (samples/goteborg).</summary>
    public static string SampleCityDirectory { get; } = Path.Combine(RepositoryRoot(), "samples", "goteborg");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium.ExecutablePath), "Debian's chromium is missing: run scripts/setup.sh");
        _app = HubApplication.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--contentRoot", Path.Combine(RepositoryRoot(), "src", "CameraHub"),
            "--CameraHub:Demo=true",
            $"--CameraHub:DataDirectory={DataDirectory}",
            $"--CameraHub:DemoPassword={Password}",
            // Short segments so a few seconds of recording can be played back and exported.
            "--CameraHub:Recording:SegmentLength=00:00:04",
            "--Logging:LogLevel:Default=Warning",
            "--CameraHub:SignIn:PermitsPerWindow=100000",
        ]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium.ExecutablePath, Headless = true, Args = Chromium.Arguments });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a recorder file may still be closing; the temp folder is cleaned by the system
        }
    }

    /// <summary>A fresh browser context (own cookies), in Göteborg's time zone, signed in as a demo user.</summary>
    public async Task<IPage> SignInAsync(string user, string language = "en")
    {
        var context = await Browser.NewContextAsync(new() { TimezoneId = "Europe/Stockholm", ViewportSize = new() { Width = 1366, Height = 820 }, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Address, $"/?lang={language}").ToString());
        await page.FillAsync("#signin input[name=username]", user);
        await page.FillAsync("#signin input[name=password]", Password);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("header#top:not([hidden])");
        return page;
    }

    /// <summary>An API client with a bearer token for a demo user (for arranging what a test needs).</summary>
    public async Task<HttpClient> ApiAsAsync(string user)
    {
        var client = new HttpClient { BaseAddress = Address };
        using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = user, password = Password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Waits until the recorder has closed at least <paramref name="count"/> segments of a camera; returns them (start, end).</summary>
    public async Task<IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)>> RecordedSegmentsAsync(string user, string cameraId, int count)
    {
        using var client = await ApiAsAsync(user);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var recordings = await client.GetFromJsonAsync<JsonElement>($"/api/cameras/{cameraId}/recordings", timeout.Token);
            var segments = recordings.GetProperty("segments").EnumerateArray()
                .Select(s => (DateTimeOffset.Parse(s.GetProperty("start").GetString()!, CultureInfo.InvariantCulture), DateTimeOffset.Parse(s.GetProperty("end").GetString()!, CultureInfo.InvariantCulture)))
                .ToList();
            if (segments.Count >= count)
            {
                return segments;
            }

            await Task.Delay(1000, timeout.Token);
        }
    }

    /// <summary>
    /// Registers a traffic camera with a liftable privacy polygon on <paramref name="rtspUrl"/> (id <paramref name="prefix"/>
    /// and three random digits) and gives each user the rights named (e.g. "Live, Unmask") on it; returns its id.
    /// </summary>
    public async Task<string> LiftableCameraAsync(string prefix, string rtspUrl, params (string User, string Rights)[] grants)
    {
        using var admin = await ApiAsAsync("admin");
        var id = $"{prefix}{Random.Shared.Next(100, 999)}";
        var masking = new CameraRegistry.Cameras.MaskingProfile
        {
            Kind = CameraRegistry.Cameras.MaskingKind.PrivacyPolygons, Polygons = [[[0, 0], [100, 0], [100, 100], [0, 100]]], Liftable = true,
        };
        using (var created = await admin.PostAsJsonAsync("/api/cameras", CameraRegistry.Tests.Infrastructure.SampleCameras.Traffic(id) with { RtspUrl = rtspUrl, Masking = masking }, HubFactory.Json))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        }

        foreach (var (subject, rights) in grants)
        {
            using var granted = await admin.PostAsJsonAsync("/api/grants", new { subjectKind = "User", subject, scopeKind = "Camera", scope = id, rights, reason = "Ärende 5000-K9-26" }, HubFactory.Json);
            Assert.True(granted.IsSuccessStatusCode, await granted.Content.ReadAsStringAsync());
        }

        return id;
    }

    /// <summary>Saves a screenshot for the README (docs/screenshots/name.png).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, $"{name}.png") });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CameraHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CameraHub.sln not found above the test binaries");
    }
}

/// <summary>The console tests share one demo hub and one browser; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleBrowser : ICollectionFixture<DemoHub>
{
    public const string Name = "Console";
}
