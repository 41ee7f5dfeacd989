using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace CameraHub.Tests.Alarms;

/// <summary>What the alarm tests ask the API, and waiting for an answer to turn up.</summary>
internal static class AlarmApi
{
    public static async Task<List<JsonElement>> AlarmsAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement>("/api/alarms")).EnumerateArray()];

    /// <summary>Polls until <paramref name="condition"/> holds; false when it did not within <paramref name="timeout"/>.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout) =>
        (await EventuallyAsync(async () => await condition() ? JsonDocument.Parse("true").RootElement : default, timeout)).ValueKind == JsonValueKind.True;

    /// <summary>Polls until <paramref name="find"/> gives an element (FirstOrDefault's default is none), or gives none.</summary>
    public static async Task<JsonElement> EventuallyAsync(Func<Task<JsonElement>> find, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await find() is { ValueKind: not JsonValueKind.Undefined } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        return default;
    }
}
