namespace PyStockSharp.Engine.Tests;

/// <summary>Several series (instruments) on one clock: accounting per symbol and for the portfolio, no look-ahead, fill timing.</summary>
public class PortfolioTests
{
    private const long Hour = 60 * TestUtil.Minute, Day = 24 * Hour;

    private static CandleSeries Series(string symbol, string tf, long step, int n, int seed, double start, long t0 = 1_700_006_400_000_000_000L)
    {
        var w = TestUtil.RandomWalk(n, seed, start);
        var t = new long[n];
        for (int i = 0; i < n; i++) t[i] = t0 + i * step;
        return new CandleSeries(symbol, tf, t, w.Open, w.High, w.Low, w.Close, w.Volume, 0.01, 1);
    }

    /// <summary>Random orders on every instrument; at every bar of every series checks the accounting identities.</summary>
    private sealed class CheckedFlow : Strategy
    {
        private readonly Random _rnd;
        private readonly Dictionary<Instrument, double> _cashFlow = new();
        private readonly Dictionary<Instrument, double> _commission = new();
        public int Checks;
        public CheckedFlow(int seed) { _rnd = new Random(seed); }

        public override void OnNewMyTrade(MyTrade t)
        {
            var i = t.Instrument!;
            _cashFlow[i] = _cashFlow.GetValueOrDefault(i) - (t.Side == Sides.Buy ? 1 : -1) * t.Price * t.Volume - t.Commission;
            _commission[i] = _commission.GetValueOrDefault(i) + t.Commission;
        }

        public override void OnBar(int index) => Act(0);
        public override void OnSeriesBar(int series, int index) => Act(series);

        private void Act(int series)
        {
            Check();
            var inst = Instruments[series];
            var s = AllSeries[series];
            double c = s.Close[LastIndexOf(series)];
            double vol = 1 + _rnd.Next(3);
            switch (_rnd.Next(7))
            {
                case 0: BuyMarket(inst, vol); break;
                case 1: SellMarket(inst, vol); break;
                case 2: RegisterOrder(inst, Sides.Buy, OrderTypes.Limit, vol, c * 0.995); break;
                case 3: RegisterOrder(inst, Sides.Sell, OrderTypes.Stop, vol, c * 0.995); break;
                case 4: ClosePosition(inst); break;
            }
        }

        private void Check()
        {
            var pf = Context!.Portfolio;
            double sum = pf.InitialCash - pf.Commission;
            foreach (var p in pf.Positions)
            {
                double mark = double.IsNaN(p.Mark) ? 0 : p.Mark;
                double unreal = p.Quantity != 0 ? p.UnrealizedAt(mark) : 0;
                // per symbol: cash flows of its fills + its value == realized + unrealized - commission
                Assert.Equal(p.RealizedPnL + unreal - _commission.GetValueOrDefault(p.Instrument),
                    _cashFlow.GetValueOrDefault(p.Instrument) + p.Value, 6);
                sum += p.RealizedPnL + unreal;
            }
            Assert.Equal(sum, Equity, 6);                               // the portfolio
            Assert.Equal(pf.Cash + pf.Positions.Sum(p => p.Value), Equity, 6);
            Checks++;
        }
    }

    [Fact]
    public void AccountingHoldsPerSymbolAndForThePortfolioOnEveryBar()
    {
        var a = Series("AAA", "1h", Hour, 1500, 1, 100);
        var b = Series("BBB", "1h", Hour, 1400, 2, 50, t0: 1_700_006_400_000_000_000L + 50 * Hour);   // starts later
        var c = Series("CCC", "1d", Day, 70, 3, 20);
        var s = new CheckedFlow(7);
        var r = BacktestEngine.Run(s, new[] { a, b, c }, new EmulationSettings { InitialCapital = 50_000, CommissionFraction = 0.001, SlippageSteps = 1 }, true);
        Assert.Equal(1500 + 1400 + 70, s.Checks);
        Assert.True(r.FillCount > 500, $"fills {r.FillCount}");
        Assert.Equal(3, r.Instruments.Count);
        foreach (var sym in new[] { "AAA", "BBB", "CCC" })
            Assert.Contains(r.Trades, t => t.Instrument!.Id == sym);
        // final: equity row == cash + Σ position × last close, and == capital + realized + unrealized - commission
        int last = r.Equity.Count - 1;
        double value = r.Instruments.Select((inst, k) => r.PositionsByInstrument[k][last] * new[] { a, b, c }[k].Close[^1]).Sum();
        Assert.Equal(r.Equity.Cash[last] + value, r.Equity.Equity[last], 6);
        Assert.Equal(r.InitialCapital + r.RealizedPnL + r.UnrealizedPnL - r.Commission, r.FinalEquity, 6);
        Assert.Equal(r.FinalEquity, r.Equity.Equity[last]);
    }

    /// <summary>Reads the daily series at every hourly bar: what it sees must be a bar closed by then.</summary>
    private sealed class Peeker : Strategy
    {
        public readonly List<(long Now, int Daily, double Close)> Seen = new();
        public override void OnBar(int index)
        {
            long now = Series.OpenTimes[index] + Hour;
            int d = LastIndexOf(1);
            Seen.Add((now, d, d >= 0 ? AllSeries[1].Close[d] : double.NaN));
        }
    }

    [Fact]
    public void AHigherTimeFrameBarIsSeenOnlyAfterItClosed()
    {
        var hourly = Series("H", "1h", Hour, 24 * 5, 4, 100, t0: 0);
        var daily = Series("D", "1d", Day, 5, 5, 100, t0: 0);
        daily.Close[2] = 1000;                                   // the planted future: day 2's close
        var p = new Peeker();
        BacktestEngine.Run(p, new[] { hourly, daily }, null, true);
        Assert.Equal(24 * 5, p.Seen.Count);
        foreach (var (now, d, close) in p.Seen)
        {
            int closedDays = (int)(now / Day);                   // days whose close time <= now
            Assert.Equal(closedDays - 1, d);
            if (close == 1000) Assert.True(now >= 3 * Day, $"day 2's close seen at {now / Hour} h");
        }
        Assert.Contains(p.Seen, x => x.Close == 1000);           // seen from the hour that closes with day 2
        Assert.Equal(-1, p.Seen[0].Daily);                       // during day 0 no daily bar has closed
        Assert.Equal(0, p.Seen[23].Daily);                       // the hour closing at 24:00 comes after day 0's close
    }

    [Fact]
    public void AnOrderOnADailyInstrumentPlacedMidDayFillsAtTheNextDaysOpen()
    {
        var hourly = Series("H", "1h", Hour, 24 * 4, 6, 100, t0: 0);
        var daily = Series("D", "1d", Day, 4, 7, 50, t0: 0);
        var s = new ScriptStrategy().At(13, x => x.BuyMarket(x.Instruments[1], 2));   // the hour closing 14:00 of day 0
        var r = BacktestEngine.Run(s, new[] { hourly, daily }, null, true);
        var fill = Assert.Single(r.Trades);
        Assert.Equal("D", fill.Instrument!.Id);
        Assert.Equal(1, fill.BarIndex);                          // not day 0's open (before the order)
        Assert.Equal(daily.Open[1], fill.Price);
        Assert.Equal(Day, fill.Time);
    }

    [Fact]
    public void ASingleSeriesListIsTheSingleSeriesRun()
    {
        var series = TestUtil.RandomWalk(1000, 9);
        var set = new EmulationSettings { CommissionFraction = 0.001, SlippageSteps = 1 };
        var one = BacktestEngine.Run(new ScriptStrategy().At(3, x => x.BuyMarket(2)).At(500, x => x.SellMarket(2)), series, set);
        var list = BacktestEngine.Run(new ScriptStrategy().At(3, x => x.BuyMarket(2)).At(500, x => x.SellMarket(2)), new[] { series }, set, true);
        Assert.Equal(GoldenTests.Digest(one, ""), GoldenTests.Digest(list, ""));
    }

    [Fact]
    public void TwoSeriesWithTheSameBarsGiveTheSingleSeriesResultsForTheFirst()
    {
        // a second instrument that is never traded changes nothing for the first
        var a = TestUtil.RandomWalk(800, 10);
        var b = Series("OTHER", "1m", TestUtil.Minute, 800, 11, 30, t0: a.OpenTimes[0]);
        var set = new EmulationSettings { CommissionFraction = 0.001, SlippageSteps = 1, Leverage = 2 };
        var one = BacktestEngine.Run(new ScriptStrategy().At(3, x => x.BuyMarket(2)).At(200, x => x.BuyStop(x.Series.Close[200] * 1.01, 1)).At(500, x => x.ClosePosition()), a, set);
        var two = BacktestEngine.Run(new ScriptStrategy().At(3, x => x.BuyMarket(2)).At(200, x => x.BuyStop(x.Series.Close[200] * 1.01, 1)).At(500, x => x.ClosePosition()), new[] { a, b }, set, true);
        Assert.Equal(one.Trades.Select(t => (t.BarIndex, t.Price, t.Volume)), two.Trades.Select(t => (t.BarIndex, t.Price, t.Volume)));
        Assert.Equal(one.Equity.Equity, two.Equity.Equity);
        Assert.Equal(one.Equity.Time, two.Equity.Time);
        Assert.Equal(one.FinalEquity, two.FinalEquity);
    }

    [Fact]
    public void AnUnknownInstrumentIsAnError()
    {
        var a = TestUtil.RandomWalk(10, 1);
        var b = Series("B", "1m", TestUtil.Minute, 10, 2, 30, t0: a.OpenTimes[0]);
        var stranger = new Instrument("ZZZ");
        var s = new ScriptStrategy().At(1, x => x.BuyMarket(stranger, 1));
        var ex2 = Assert.Throws<ArgumentException>(() => BacktestEngine.Run(s, new[] { a, b }, null, true));
        Assert.Contains("instrument ZZZ is not traded in this run; traded: RW, B", ex2.Message);
    }

    /// <summary>Hourly bars with a daily subscription: records what the daily series shows at each hourly bar.</summary>
    private sealed class DailyFilter : Strategy
    {
        public readonly List<(int Hour, int Day)> Seen = new();
        public int DailyBars;
        public DailyFilter() { SubscribeTimeFrame("1d"); }
        public override void OnSeriesBar(int series, int index) { Assert.Equal(1, series); DailyBars++; }
        public override void OnBar(int index)
        {
            Seen.Add((index, LastIndexOf(1)));
            if (index == 30) BuyMarket(Instruments[1], 1);          // the daily series' instrument is the data's
        }
    }

    [Fact]
    public void ADailySubscriptionOverHourlyDataIsBuiltAndSeenOnlyOnceEachDayClosed()
    {
        var hourly = Series("EURUSD", "1h", Hour, 24 * 4 + 5, 12, 1.1, t0: 0);
        hourly.Close[47] = 99;                                      // planted: day 1's last hour closes at 99
        var s = new DailyFilter();
        var r = BacktestEngine.Run(s, hourly, null);
        Assert.Equal(5, s.DailyBars);                               // days 0..3 and the 5 hours of day 4
        Assert.Equal(24 * 4 + 5, s.Seen.Count);
        foreach (var (h, d) in s.Seen) Assert.Equal((h + 1) / 24 - 1, d);   // the hour closing at 24:00 sees its day
        Assert.Equal(99, hourly.Resample("1d").Close[1]);           // day 1 closes at 99 ...
        Assert.All(s.Seen.Where(x => x.Hour < 47), x => Assert.True(x.Day < 1));   // ... unseen before its last hour
        var fill = Assert.Single(r.Trades);                         // the order on the shared instrument fills on the hourly bars
        Assert.Equal(31, fill.BarIndex);
        Assert.Equal(hourly.Open[31], fill.Price);
        Assert.Single(r.Instruments);
        Assert.Equal(1, r.FinalPosition);
    }

    [Fact]
    public void ResamplingBuildsOHLCVFromTheEpochAndRefusesFinerOrUnevenTimeFrames()
    {
        var m = Series("X", "1m", TestUtil.Minute, 12, 13, 10, t0: 3 * TestUtil.Minute);   // opens 00:03 .. 00:14
        var five = m.Resample("5m");
        Assert.Equal(new long[] { 0, 5 * TestUtil.Minute, 10 * TestUtil.Minute }, five.OpenTimes);
        Assert.Equal(m.Open[0], five.Open[0]);
        Assert.Equal(m.Close[1], five.Close[0]);                    // 00:03, 00:04
        Assert.Equal(m.High.Skip(2).Take(5).Max(), five.High[1]);
        Assert.Equal(m.Low.Skip(7).Min(), five.Low[2]);
        Assert.Equal(m.Volume.Skip(2).Take(5).Sum(), five.Volume[1]);
        Assert.Equal("5m", five.TimeFrame);
        var finer = Assert.Throws<ArgumentException>(() => Series("H", "1h", Hour, 3, 1, 1).Resample("30m"));
        Assert.Equal("time frame 30m is finer than the data's 1h: candles can only be built up from the data", finer.Message);
        var uneven = Assert.Throws<ArgumentException>(() => Series("H", "1h", Hour, 3, 1, 1).Resample("90m"));
        Assert.Contains("90m is not a whole multiple of the data's 1h", uneven.Message);
        var s = new ScriptStrategy();
        s.SubscribeTimeFrame("30m");
        var ex = Assert.Throws<StrategyInputException>(() => BacktestEngine.Run(s, Series("H", "1h", Hour, 3, 1, 1), null));
        Assert.Contains("subscribes to time frame 30m is finer than the data's 1h", ex.Message);
    }
}
