namespace Simulators.Kubernetes;

/// <summary>A request the double holds (<see cref="KubernetesApiSimulator.HoldNext"/>).</summary>
public sealed class HeldRequest(string method, string plural)
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Method { get; } = method;

    public string Plural { get; } = plural;

    /// <summary>Completes when the request has arrived and is being held.</summary>
    public Task Arrived => _arrived.Task;

    /// <summary>Completes when the request's client went away while it was held: nothing was stored.</summary>
    public Task Abandoned => _abandoned.Task;

    internal Task Released => _released.Task;

    public void Release() => _released.TrySetResult();

    internal void Arrive() => _arrived.TrySetResult();

    internal void Abandon() => _abandoned.TrySetResult();
}
