namespace Simulators.Kubernetes;

/// <summary>
/// One request the double answered: who sent it (the User-Agent, and the label of the token it
/// carried: <see cref="KubernetesApiOptions.AdditionalTokens"/>, null when no token was accepted),
/// what (<see cref="Name"/>: the object named in the path, or the one a create stored), and the HTTP
/// status it got. <see cref="At"/> is when the request arrived.
/// </summary>
public sealed record RequestRecord(DateTimeOffset At, string Method, string Path, string Query, string UserAgent, string? Credential, string? Name, int Status)
{
    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    public override string ToString() => $"{Method} {Path}{Query} -> {Status} ({UserAgent}, {Credential})";
}
