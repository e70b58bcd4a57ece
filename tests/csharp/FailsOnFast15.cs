using PyStockSharp.Engine;

namespace PyStockSharp.Tests;

/// <summary>The built-in SMA cross, except that a run with <c>fast = 15</c> throws when it starts: a combination that
/// fails in the engine (its exception and .NET stack trace recorded) for tests of the optimizer's failure paths.</summary>
public sealed class FailsOnFast15 : SmaCross
{
    public FailsOnFast15() => Name = "fails_on_fast_15";

    public override void OnStarted()
    {
        if (Fast == 15) throw new InvalidOperationException("fast=15 is refused on purpose");
        base.OnStarted();
    }
}
