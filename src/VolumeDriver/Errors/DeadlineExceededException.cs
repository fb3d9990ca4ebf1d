namespace VolumeDriver.Errors;

/// <summary>An operation ran past its own deadline (as opposed to the caller cancelling it).</summary>
internal sealed class DeadlineExceededException : VolumeDriverException
{
    public DeadlineExceededException(string operation, TimeSpan budget, string? detail = null, Exception? innerException = null)
        : base(FormattableString.Invariant($"{operation} did not finish within {budget.TotalSeconds:0.#} s{(detail is null ? "." : "; " + detail)}"), innerException)
    {
        Operation = operation;
        Budget = budget;
    }

    public string Operation { get; }

    public TimeSpan Budget { get; }
}
