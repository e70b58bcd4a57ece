// Pairs trading on two instruments (run with two data: the first is A, the second B), compiled at run time.
// At each bar of A, with B's last closed bar: ratio = closeA / closeB; z = (ratio - mean) / std over the last
// `lookback` ratios (sample standard deviation). z > entry: short A, long B; z < -entry: long A, short B;
// |z| < exit: flat both. Volumes in units: `volume_a` of A against `volume_b` of B.
// Twin of strategies/pairs_spread.py (same arithmetic, same fills).
using PyStockSharp.Engine;

namespace UserStrategies;

public sealed class PairsSpread : Strategy
{
    private readonly StrategyParam<int> _lookback;
    private readonly StrategyParam<double> _entry, _exit, _volumeA, _volumeB;
    private readonly List<double> _ratios = new();

    public PairsSpread()
    {
        Name = "pairs_spread";
        _lookback = Param("lookback", 60).SetRange(2, 100000).SetOptimize(20, 120, 20).SetDisplay("Lookback", "Bars of the ratio's mean and deviation", "Signal");
        _entry = Param("entry", 2.0).SetRange(0.0, 100.0).SetOptimize(1.0, 3.0, 0.5).SetDisplay("Entry z", "Enter beyond this z-score", "Signal");
        _exit = Param("exit", 0.5).SetRange(0.0, 100.0).SetDisplay("Exit z", "Leave inside this z-score", "Signal");
        _volumeA = Param("volume_a", 1.0).SetDisplay("Volume A", "Units of the first instrument", "Trading");
        _volumeB = Param("volume_b", 2.0).SetDisplay("Volume B", "Units of the second instrument", "Trading");
    }

    public override void OnStarted() => _ratios.Clear();

    public override void OnBar(int index)
    {
        int b = LastIndexOf(1);
        if (b < 0) return;
        _ratios.Add(Series.Close[index] / AllSeries[1].Close[b]);
        int n = _lookback.Value;
        if (_ratios.Count < n) return;
        double sum = 0;
        for (int k = _ratios.Count - n; k < _ratios.Count; k++) sum += _ratios[k];
        double mean = sum / n, ss = 0;
        for (int k = _ratios.Count - n; k < _ratios.Count; k++) { double d = _ratios[k] - mean; ss += d * d; }
        double std = Math.Sqrt(ss / (n - 1));
        if (!(std > 0)) return;
        double z = (_ratios[^1] - mean) / std;
        var a = Instruments[0];
        var bi = Instruments[1];
        double wantA = Position, wantB = PositionOf(bi);
        if (z > _entry.Value) { wantA = -_volumeA.Value; wantB = _volumeB.Value; }
        else if (z < -_entry.Value) { wantA = _volumeA.Value; wantB = -_volumeB.Value; }
        else if (Math.Abs(z) < _exit.Value) { wantA = 0; wantB = 0; }
        Trade(a, wantA - Position);
        Trade(bi, wantB - PositionOf(bi));
    }

    private void Trade(Instrument instrument, double delta)
    {
        if (delta > 0) BuyMarket(instrument, delta);
        else if (delta < 0) SellMarket(instrument, -delta);
    }
}
