namespace Simulators.Kubernetes;

public sealed partial class KubernetesApiSimulator
{
    private readonly List<HeldRequest> _held = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Waits until <paramref name="probe"/> returns a value, looking again after every change the
    /// store records and every request answered (no polling); a <see cref="TimeoutException"/> naming <paramref name="what"/>
    /// after <paramref name="limit"/>.
    /// </summary>
    public async Task<T> WaitForAsync<T>(string what, Func<KubernetesApiSimulator, T?> probe, TimeSpan limit)
        where T : class
    {
        using var deadline = new CancellationTokenSource(limit, _time);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (probe(this) is { } result)
            {
                return result;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"the Kubernetes double did not see {what} within {limit}; last requests:\n{string.Join('\n', RequestLog.TakeLast(15))}");
            }
        }
    }

    /// <summary>
    /// Holds the next <paramref name="method"/> request on <paramref name="plural"/> before it is
    /// stored: the returned task completes when it arrives, and it waits until released (then it is
    /// served) or until its client goes away (then nothing is stored, as when a process dies before
    /// its request reaches the API server).
    /// </summary>
    public HeldRequest HoldNext(string method, string plural)
    {
        var held = new HeldRequest(method, plural);
        lock (_lock)
        {
            _held.Add(held);
        }

        return held;
    }

    /// <summary>Wakes every <see cref="WaitForAsync"/>; called under the lock after each recorded change and answered request.</summary>
    private void SignalChange()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    /// <summary>True when the request may go on; false when it was held and its client went away.</summary>
    private async Task<bool> PassHoldAsync(string method, string plural, CancellationToken requestAborted)
    {
        HeldRequest? held;
        lock (_lock)
        {
            held = _held.FirstOrDefault(h => h.Method == method && h.Plural == plural);
            if (held is not null)
            {
                _held.Remove(held);
            }
        }

        if (held is null)
        {
            return true;
        }

        held.Arrive();
        try
        {
            await held.Released.WaitAsync(requestAborted);
            return true;
        }
        catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
        {
            held.Abandon();
            return false;
        }
    }
}
