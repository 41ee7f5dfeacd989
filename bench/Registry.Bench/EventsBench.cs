using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Persistence;
using CameraHub.Composition;
using CameraHub.FakeCamera;
using CameraHub.StreamBroker.Alarms;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Event intake of one node (bench/RESULTS.md "Alarm desk"): the real hub with the demo city, N fake cameras in this
/// process each with event intake on (one pull-point subscription each), each emitting digital-input changes (on,
/// off, on…) at a fixed rate. Measures the events the hub stored per second while they were sent (and how long it
/// took to catch up afterwards), and, for every "on" that updated an alarm, the delay from the camera's event time to
/// the alarm arriving at an administrator's SignalR connection (/hubs/alarms).
/// </summary>
internal static class EventsBench
{
    public static async Task<int> RunAsync(int cameraCount, double perCameraPerSecond, int seconds)
    {
        var dir = Directory.CreateTempSubdirectory("camerahub-events-bench-").FullName;
        var app = HubApplication.Build(["--urls", "http://127.0.0.1:0", $"--CameraHub:DataDirectory={dir}", "--Logging:LogLevel:Default=Warning",
            "--CameraHub:Demo=true", "--CameraHub:DemoCameras=false", $"--CameraHub:DemoPassword={BenchHub.Password}", "--CameraHub:Recording:Enabled=false",
            "--CameraHub:SignIn:PermitsPerWindow=100000"]);
        await app.StartAsync();
        var cameras = new List<SimulatedCamera>();
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var http = new HttpClient { BaseAddress = address };
            var token = (await (await http.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = BenchHub.Password })).Content
                .ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            // Cameras whose events raise alarms at any hour: not traffic (motion is the traffic), no allowed-hours limit.
            List<string> ids;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
                ids = (await db.Cameras.AsNoTracking().Where(c => c.Status == CameraStatus.Active && c.Category != CameraCategory.Traffic).OrderBy(c => c.Id)
                    .Select(c => new { c.Id, c.AllowedHours }).ToListAsync())
                    .Where(c => string.IsNullOrEmpty(c.AllowedHours) || c.AllowedHours == "always").Select(c => c.Id).Take(cameraCount).ToList();
            }

            foreach (var id in ids)
            {
                var camera = await SimulatedCamera.StartAsync(new FakeCameraOptions { CameraId = id, StartRtsp = false });
                cameras.Add(camera);
                await using var scope = app.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<CameraCatalogue>().ConnectAsync(id, camera.DeviceServiceUri.ToString(), null,
                    camera.Options.Username, camera.Options.Password, "bench", default);
                using var on = await http.PutAsJsonAsync($"/api/cameras/{id}/event-intake", new { enabled = true });
                on.EnsureSuccessStatusCode();
            }

            var subscribing = Stopwatch.StartNew();
            while (cameras.Any(c => c.Events!.Subscriptions != 1) && subscribing.Elapsed < TimeSpan.FromMinutes(3))
            {
                await Task.Delay(200);
            }

            var subscribed = cameras.Count(c => c.Events!.Subscriptions == 1);
            var delays = new ConcurrentBag<double>();
            var seen = new ConcurrentDictionary<(long, int), bool>();
            // When each camera's k-th "on" was emitted: the alarm it folds into is pushed with count k.
            var onTimes = cameras.ToDictionary(c => c.Options.CameraId, _ => new List<long>());
            await using var push = new HubConnectionBuilder()
                .WithUrl(new Uri(address, "/hubs/alarms"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            push.On<JsonElement>(AlarmsHub.AlarmMessage, alarm =>
            {
                var received = Stopwatch.GetTimestamp();
                var count = alarm.GetProperty("count").GetInt32();
                if (alarm.GetProperty("kind").GetString() == "camera.DigitalInput" && seen.TryAdd((alarm.GetProperty("id").GetInt64(), count), true)
                    && onTimes.TryGetValue(alarm.GetProperty("cameraId").GetString()!, out var times))
                {
                    // Not the event's own time stamp: the camera clock's skew is known to whole seconds only.
                    lock (times)
                    {
                        if (count <= times.Count)
                        {
                            delays.Add(Stopwatch.GetElapsedTime(times[count - 1], received).TotalMilliseconds);
                        }
                    }
                }
            });
            await push.StartAsync();

            var contexts = app.Services.GetRequiredService<IDbContextFactory<AlarmsDbContext>>();
            async Task<int> StoredAsync()
            {
                await using var db = await contexts.CreateDbContextAsync();
                return await db.CameraEvents.CountAsync(e => e.Operation == "Changed");
            }

            var before = await StoredAsync();
            var emitted = 0;
            var owed = 0.0;
            var state = false;
            var clock = Stopwatch.StartNew();
            using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100)))
            {
                while (clock.Elapsed < TimeSpan.FromSeconds(seconds) && await timer.WaitForNextTickAsync())
                {
                    // Whatever the timer lost to a busy machine is sent on the next tick, so the rate holds on average.
                    owed = (clock.Elapsed.TotalSeconds * perCameraPerSecond) - (emitted / (double)cameras.Count);
                    for (; owed >= 1; owed--)
                    {
                        state = !state;
                        foreach (var camera in cameras)
                        {
                            if (state)
                            {
                                var times = onTimes[camera.Options.CameraId];
                                lock (times)
                                {
                                    times.Add(Stopwatch.GetTimestamp());
                                }
                            }

                            camera.Events!.Emit(FakeEvent.DigitalInput, state);
                            emitted++;
                        }
                    }
                }
            }

            var sending = clock.Elapsed.TotalSeconds;
            var duringSend = await StoredAsync() - before;
            var catchUp = Stopwatch.StartNew();
            while (await StoredAsync() - before < emitted && catchUp.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200);
            }

            var stored = await StoredAsync() - before;
            var total = sending + catchUp.Elapsed.TotalSeconds;
            var sorted = delays.Order().ToList();
            double P(double q) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, q * sorted.Count)];
            Console.WriteLine(FormattableString.Invariant(
                $"| {subscribed} of {cameras.Count} | {emitted / sending:0} | {duringSend / sending:0} | {stored} of {emitted} in {total:0.0} s ({stored / total:0}/s) | {catchUp.Elapsed.TotalSeconds:0.0} | {P(0.5):0} / {P(0.95):0} / {sorted.LastOrDefault():0} ({sorted.Count}) |"));
            return stored == emitted ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            foreach (var camera in cameras)
            {
                await camera.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
