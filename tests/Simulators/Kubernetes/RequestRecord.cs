namespace Simulators.Kubernetes;

/// <summary>
/// One request the double answered: who sent it (the User-Agent, which tells replicas apart), what,
/// and the HTTP status it got.
/// </summary>
public sealed record RequestRecord(DateTimeOffset At, string Method, string Path, string Query, string UserAgent, int Status)
{
    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    public override string ToString() => $"{Method} {Path}{Query} -> {Status} ({UserAgent})";
}
