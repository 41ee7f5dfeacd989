using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CameraHub.CameraRegistry.Identity;
using CameraHub.Tests.Infrastructure;

namespace CameraHub.Tests.Security;

/// <summary>Sign-in tells an outsider nothing: a locked, a disabled, a wrong and an unknown account look the same.</summary>
public class SignInProbingTests : IAsyncLifetime
{
    private readonly HubFactory _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.CreateUserAsync("dpo", HubRoles.DataProtectionOfficer);
        await _hub.CreateUserAsync("admin", HubRoles.Administrator);
        await _hub.CreateUserAsync("locked", HubRoles.TrafficOperator);
        await _hub.CreateUserAsync("wrong", HubRoles.TrafficOperator);
        await _hub.CreateUserAsync("disabled", HubRoles.TrafficOperator);
        var admin = await _hub.SignInAsAsync("admin");
        (await admin.PostAsync("/api/users/disabled/disable", null)).EnsureSuccessStatusCode();
        for (var i = 0; i < 5; i++)
        {
            await AttemptAsync("/api/auth/token", "locked", "not-the-password");
        }
    }

    public Task DisposeAsync()
    {
        _hub.Dispose();
        return Task.CompletedTask;
    }

    private async Task<(HttpStatusCode Status, string? ContentType, byte[] Body, TimeSpan Took)> AttemptAsync(string route, string user, string password)
    {
        using var client = _hub.CreateClient();
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsJsonAsync(route, new { username = user, password });
        var body = await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), body, clock.Elapsed);
    }

    [Theory]
    [InlineData("/api/auth/token")]
    [InlineData("/api/auth/login")]
    public async Task Locked_disabled_wrong_and_unknown_accounts_get_byte_identical_answers(string route)
    {
        // The locked and the disabled account are tried with their right password: still nothing to tell them apart.
        var answers = new[]
        {
            await AttemptAsync(route, "locked", HubFactory.Password),
            await AttemptAsync(route, "disabled", HubFactory.Password),
            await AttemptAsync(route, "wrong", "not-the-password"),
            await AttemptAsync(route, "nobody-by-this-name", "not-the-password"),
        };

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.Status));
        Assert.All(answers, a => Assert.Equal(answers[0].ContentType, a.ContentType));
        Assert.All(answers, a => Assert.Equal(answers[0].Body, a.Body));
        Assert.DoesNotContain("lock", System.Text.Encoding.UTF8.GetString(answers[0].Body), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Every_refusal_costs_a_password_hash_so_timing_does_not_tell_them_apart()
    {
        var users = new[] { ("locked", HubFactory.Password), ("wrong", "not-the-password"), ("nobody-by-this-name", "not-the-password"), ("disabled", HubFactory.Password) };
        await AttemptAsync("/api/auth/token", "warm-up", "x");
        var medians = new List<double>();
        foreach (var (user, password) in users)
        {
            var times = new List<double>();
            for (var i = 0; i < 7; i++)
            {
                times.Add((await AttemptAsync("/api/auth/token", user, password)).Took.TotalMilliseconds);
            }

            medians.Add(times.Order().ElementAt(3));
        }

        // Without the hash an unknown or locked name answers in a few ms against tens of ms for a wrong password.
        Assert.True(medians.Min() > medians.Max() * 0.25, $"median ms locked/wrong/unknown/disabled: {string.Join(" / ", medians.Select(m => m.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    [Fact]
    public async Task The_lock_out_and_the_true_reasons_are_in_the_audit_log()
    {
        await AttemptAsync("/api/auth/token", "locked", HubFactory.Password);
        await AttemptAsync("/api/auth/token", "nobody-by-this-name", "x");
        var dpo = await _hub.SignInAsAsync("dpo");

        var lockouts = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?actor=locked&action=UserLockedOut");
        Assert.True(lockouts.GetProperty("total").GetInt32() >= 2);
        var failures = await dpo.GetFromJsonAsync<JsonElement>("/api/audit?action=LoginFailed");
        var details = failures.GetProperty("items").EnumerateArray().Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("details").GetString())).ToList();
        Assert.Contains(("locked", "the account is locked after repeated failed sign-ins"), details);
        Assert.Contains(("nobody-by-this-name", "unknown user"), details);
    }
}
