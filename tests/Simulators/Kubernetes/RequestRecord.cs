namespace Simulators.Kubernetes;

/// <summary>
/// One request the double answered: who sent it (the User-Agent, and the label of the token it
/// carried: <see cref="KubernetesApiOptions.AdditionalTokens"/>, null when no token was accepted),
/// what, and the HTTP status it got.
/// </summary>
public sealed record RequestRecord(DateTimeOffset At, string Method, string Path, string Query, string UserAgent, string? Credential, int Status)
{
    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    public override string ToString() => $"{Method} {Path}{Query} -> {Status} ({UserAgent}, {Credential})";
}
