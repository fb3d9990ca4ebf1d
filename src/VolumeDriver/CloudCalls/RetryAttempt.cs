namespace VolumeDriver.CloudCalls;

/// <summary>One attempt's outcome, as <see cref="RetryLoop"/> hands it to the caller's predicate and retry log.</summary>
/// <param name="Number">1 for the first attempt.</param>
/// <param name="Result">The attempt's result, when it returned one.</param>
/// <param name="Exception">What the attempt threw, when it threw.</param>
/// <param name="Elapsed">Time since the first attempt started.</param>
internal readonly record struct RetryAttempt<T>(int Number, T? Result, Exception? Exception, TimeSpan Elapsed);
