using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Simulators;

/// <summary>
/// Another process that holds an etcd lock, for the test that kills a holder with SIGKILL: it
/// grants a lease, takes the lock through the v3 gateway, prints "locked", and keeps the lease alive
/// until it is killed. Written against the gateway directly, not with the driver's client, so the
/// test does not use the code under test as its own witness.
/// </summary>
internal static class EtcdLockHolder
{
    public static async Task<int> RunAsync(Uri endpoint, string name, int ttlSeconds)
    {
        using var http = new HttpClient { BaseAddress = endpoint, Timeout = Timeout.InfiniteTimeSpan };
        var grant = await PostAsync(http, "/v3/lease/grant", $"{{\"TTL\":{ttlSeconds}}}");
        var lease = grant.GetProperty("ID").GetString()!;
        var encodedName = Convert.ToBase64String(Encoding.UTF8.GetBytes(name));
        await PostAsync(http, "/v3/lock/lock", $"{{\"name\":\"{encodedName}\",\"lease\":\"{lease}\"}}");
        Console.WriteLine("locked " + lease);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, ttlSeconds / 3.0)));
            await PostAsync(http, "/v3/lease/keepalive", $"{{\"ID\":\"{lease}\"}}");
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static int ParseTtl(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
