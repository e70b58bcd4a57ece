using Apache.Arrow;
using Apache.Arrow.C;
using PyStockSharp.Engine.Indicators;

namespace PyStockSharp.Engine.Tests;

using static TestUtil;

public class StrategyTests
{
    private static string StrategiesFile => Path.Combine(AppContext.BaseDirectory, "strategies", "SmaCrossFile.cs");
    private static string NewCacheDir() => Path.Combine(Path.GetTempPath(), "pystocksharp-tests", Guid.NewGuid().ToString("N"));

    private static EmulationSettings Costs() => new()
    {
        InitialCapital = 100000, CommissionFraction = 0.0005, CommissionPerUnit = 0.01, MinCommission = 0.1, SlippageSteps = 1,
    };

    [Fact]
    public void AccountingInvariantHoldsOverAWholeSmaCrossRun()
    {
        var s = RandomWalk(5000, seed: 42);
        var st = new SmaCross();
        st.SetParameter("fast", 5); st.SetParameter("slow", 20); st.SetParameter("volume", 3.0);
        var r = BacktestEngine.Run(st, s, Costs());
        Assert.True(r.FillCount > 50, $"expected many fills, got {r.FillCount}");
        var e = r.Equity;
        for (int i = 0; i < e.Count; i++)
        {
            double expect = e.Cash[i] + e.Position[i] * s.Close[i];
            Assert.True(Math.Abs(e.Equity[i] - expect) <= 1e-9 * Math.Abs(expect), $"bar {i}: {e.Equity[i]} vs {expect}");
            double viaPnl = r.InitialCapital + e.RealizedPnL[i] + e.UnrealizedPnL[i] - e.Commission[i];
            Assert.True(Math.Abs(e.Equity[i] - viaPnl) <= 1e-9 * Math.Abs(viaPnl), $"bar {i}: {e.Equity[i]} vs {viaPnl}");
            // position is always 0 or +/-3 (volume - Position closes and reverses)
            Assert.Contains(e.Position[i], new[] { 0.0, 3.0, -3.0 });
        }
        double final = r.InitialCapital + r.RealizedPnL + r.UnrealizedPnL - r.Commission;
        Assert.True(Math.Abs(r.FinalEquity - final) <= 1e-9 * final);
        Assert.Equal(r.FinalEquity - r.InitialCapital, r.NetProfit, 9);
        double commSum = 0; foreach (var c in r.Fills.Commission) commSum += c;
        Assert.Equal(commSum, r.Commission, 9);
        double realSum = 0; foreach (var x in r.Fills.RealizedPnL) realSum += x;
        Assert.Equal(realSum, r.RealizedPnL, 9);
        Assert.True(r.MaxDrawdown <= 0);
    }

    [Fact]
    public void SmaCrossTradesOnHandWorkedCrossovers()
    {
        // fast 1 (= close), slow 2. closes 10, 9, 8, 11, 12, 7, 7
        // t=1: f 9, s 9.5; t=2: f 8 s 8.5 (no cross); t=3: f 11 s 9.5: up-cross (8 <= 8.5, 11 > 9.5) -> buy 1 at open[4]
        // t=4: f 12 s 11.5 (no); t=5: f 7 s 9.5: down-cross (12 >= 11.5, 7 < 9.5) -> sell 1 + 1 = 2 at open[6]
        var s = Bars((10, 10, 10, 10), (9, 9, 9, 9), (8, 8, 8, 8), (11, 11, 11, 11), (12, 12, 12, 12), (7, 7, 7, 7), (7.5, 7.5, 7, 7));
        var st = new SmaCross(); st.SetParameter("fast", 1); st.SetParameter("slow", 2);
        var r = BacktestEngine.Run(st, s, new EmulationSettings());
        Assert.Equal(new[] { 4, 6 }, r.Fills.Bar);
        Assert.Equal(new[] { 12.0, 7.5 }, r.Fills.Price);
        Assert.Equal(new[] { 1.0, 2.0 }, r.Fills.Volume);
        Assert.Equal(-1, r.FinalPosition);
        Assert.Equal(-4.5, r.RealizedPnL, 9); // 7.5 - 12
    }

    [Fact]
    public void CompiledFileStrategyGivesTheSameFillsAsSmaCross()
    {
        var s = RandomWalk(3000, seed: 7);
        var cache = NewCacheDir();
        var type = CSharpStrategyCompiler.LoadStrategy(StrategiesFile, "SmaCrossFile", cache);
        Assert.Equal("SmaCrossFile", type.Name);
        Assert.Single(Directory.GetFiles(cache, "strategy_*.dll"));
        var compiled = CSharpStrategyCompiler.CreateFactory(type)();
        var builtin = new SmaCross();
        foreach (var st in new[] { compiled, builtin }) { st.SetParameter("fast", 8); st.SetParameter("slow", 30); }
        var a = BacktestEngine.Run(builtin, s, Costs());
        var b = BacktestEngine.Run(compiled, s, Costs());
        Assert.True(a.FillCount > 10);
        Assert.Equal(a.Fills.Bar, b.Fills.Bar);
        Assert.Equal(a.Fills.Price, b.Fills.Price);
        Assert.Equal(a.Fills.Volume, b.Fills.Volume);
        Assert.Equal(a.Fills.Side, b.Fills.Side);
        Assert.Equal(a.FinalEquity, b.FinalEquity);

        // second load comes from the cache (same file, no new dll)
        var again = CSharpStrategyCompiler.LoadStrategy(StrategiesFile, null, cache);
        Assert.Equal(type.FullName, again.FullName);
        Assert.Single(Directory.GetFiles(cache, "strategy_*.dll"));
    }

    [Fact]
    public void CompileErrorNamesFileLineAndEveryError()
    {
        var dir = NewCacheDir();
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "Broken.cs");
        File.WriteAllText(path,
            "using PyStockSharp.Engine;\n" +                                             // line 1
            "public class Broken : Strategy {\n" +                                       // line 2
            "    public override void OnBar(int index) { int x = \"s\"; }\n" +          // line 3: CS0029 at col 53 (4 spaces + 48 chars before the quote)
            "    public void M() { Undefined(); }\n" +                                  // line 4: CS0103 at col 23
            "}\n");
        var ex = Assert.Throws<StrategyCompilationException>(() => CSharpStrategyCompiler.LoadStrategy(path, "Broken", dir));
        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains($"{path}:3:53: error CS0029:", ex.Message);
        Assert.Contains($"{path}:4:23: error CS0103:", ex.Message);
        Assert.Empty(Directory.GetFiles(dir, "strategy_*.dll"));
    }

    [Fact]
    public void ImplicitUsingsLetAFileWithoutUsingsCompile()
    {
        var dir = NewCacheDir();
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "Plain.cs");
        // no using directives: Strategy, SimpleMovingAverage, Math and List come from the implicit usings
        File.WriteAllText(path,
            "public class Plain : Strategy {\n" +
            "    private readonly List<double> _seen = new();\n" +
            "    private readonly SimpleMovingAverage _sma = new(2);\n" +
            "    public override void OnCandle(Candle c) { _seen.Add(Math.Round(_sma.Process(c.Close), 3)); if (c.Index == 0) BuyMarket(); }\n" +
            "}\n");
        var st = CSharpStrategyCompiler.LoadFactory(path, null, dir)();
        var r = BacktestEngine.Run(st, Bars((10, 10, 10, 10), (12, 12, 12, 12)), new EmulationSettings());
        Assert.Equal(12.0, r.Fills.Price[0]); // bought at open[1]
        Assert.Equal("Plain", st.Name);
    }

    public sealed class CtorThrows : Strategy
    {
        public CtorThrows() => throw new InvalidOperationException("bad ctor");
    }

    [Fact]
    public void FactoryExceptionsAreNotWrapped()
    {
        var f = CSharpStrategyCompiler.CreateFactory(typeof(CtorThrows));
        Assert.Equal("bad ctor", Assert.Throws<InvalidOperationException>(() => f()).Message);
        Assert.IsType<SmaCross>(CSharpStrategyCompiler.CreateFactory(typeof(SmaCross))());
        Assert.Throws<ArgumentException>(() => CSharpStrategyCompiler.CreateFactory(typeof(string)));
    }

    [Fact]
    public void UnknownClassNameIsReported()
    {
        var ex = Assert.Throws<StrategyCompilationException>(() => CSharpStrategyCompiler.LoadStrategy(StrategiesFile, "Nope", NewCacheDir()));
        Assert.Contains("'Nope' not found", ex.Message);
        Assert.Contains("UserStrategies.SmaCrossFile", ex.Message);
    }

    [Theory]
    [InlineData(MarketFillMode.NextOpen)]
    [InlineData(MarketFillMode.Close)]
    public void RunTargetsEqualsSmaCrossGivenItsPositionPath(MarketFillMode mode)
    {
        var s = RandomWalk(4000, seed: 11);
        var settings = Costs(); settings.MarketFill = mode;
        var st = new SmaCross(); st.SetParameter("fast", 10); st.SetParameter("slow", 40); st.SetParameter("volume", 2.0);
        var a = BacktestEngine.Run(st, s, settings);
        var pos = a.Equity.Position;
        var target = new double[pos.Length];
        for (int i = 0; i < pos.Length; i++)
            target[i] = mode == MarketFillMode.Close ? pos[i] : pos[Math.Min(i + 1, pos.Length - 1)];
        var b = BacktestEngine.RunTargets(s, target, settings);
        Assert.True(a.FillCount > 10);
        Assert.Equal(a.Fills.Bar, b.Fills.Bar);
        Assert.Equal(a.Fills.Price, b.Fills.Price);
        Assert.Equal(a.Fills.Volume, b.Fills.Volume);
        Assert.Equal(a.Fills.Commission, b.Fills.Commission);
        Assert.Equal(a.Equity.Equity, b.Equity.Equity);
    }

    [Fact]
    public void ArrowExportRoundTripsColumnsThroughTheCDataInterface()
    {
        var s = Bars((10, 10, 10, 10), (10, 11, 9, 10.5), (12, 12, 12, 12), (11, 11, 11, 11));
        var st = new ScriptStrategy().At(0, x => x.BuyMarket(2)).At(1, x => { x.SellMarket(2); x.BuyMarket(1e9); });
        var r = BacktestEngine.Run(st, s, new EmulationSettings { CommissionPerUnit = 0.5 });
        var fills = RoundTrip(r.FillsToArrow());
        Assert.Equal(new[] { "time", "side", "price", "volume", "commission", "order_id", "bar", "realized_pnl" }, fills.Schema.FieldsList.Select(f => f.Name));
        var ts = (TimestampArray)fills.Column("time");
        Assert.Equal("UTC", ((Apache.Arrow.Types.TimestampType)ts.Data.DataType).Timezone);
        Assert.Equal(Apache.Arrow.Types.TimeUnit.Nanosecond, ((Apache.Arrow.Types.TimestampType)ts.Data.DataType).Unit);
        Assert.Equal(new long[] { 1 * Minute, 2 * Minute }, ts.Values.ToArray());
        Assert.Equal(new sbyte[] { 1, -1 }, ((Int8Array)fills.Column("side")).Values.ToArray());
        Assert.Equal(new[] { 10.0, 12.0 }, ((DoubleArray)fills.Column("price")).Values.ToArray());
        Assert.Equal(new[] { 1.0, 1.0 }, ((DoubleArray)fills.Column("commission")).Values.ToArray()); // 0.5 * 2
        Assert.Equal(new long[] { 1, 2 }, ((Int64Array)fills.Column("order_id")).Values.ToArray());
        Assert.Equal(new[] { 1, 2 }, ((Int32Array)fills.Column("bar")).Values.ToArray());
        Assert.Equal(new[] { 0.0, 4.0 }, ((DoubleArray)fills.Column("realized_pnl")).Values.ToArray()); // 2 * (12 - 10)

        var eq = RoundTrip(r.EquityToArrow());
        Assert.Equal(new[] { "time", "close", "position", "cash", "equity", "realized_pnl", "unrealized_pnl", "commission" }, eq.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(r.Equity.Equity, ((DoubleArray)eq.Column("equity")).Values.ToArray());
        // cash: 10000 - 20 - 1 = 9979 (bar 1); + 24 - 1 = 10002 (bar 2)
        Assert.Equal(new[] { 10000.0, 9979, 10002, 10002 }, ((DoubleArray)eq.Column("cash")).Values.ToArray());

        var orders = RoundTrip(r.OrdersToArrow());
        Assert.Equal(3, orders.Length);
        var reasons = (StringArray)orders.Column("reject_reason");
        Assert.True(reasons.IsNull(0));
        Assert.Contains("insufficient buying power", reasons.GetString(2));
        Assert.Equal(new sbyte[] { 1, 1, 3 }, ((Int8Array)orders.Column("state")).Values.ToArray());
    }

    private static unsafe RecordBatch RoundTrip(RecordBatch batch)
    {
        var arr = CArrowArray.Create();
        var sch = CArrowSchema.Create();
        try
        {
            ArrowExport.Export(batch, (IntPtr)arr, (IntPtr)sch);
            var schema = CArrowSchemaImporter.ImportSchema(sch);
            return CArrowArrayImporter.ImportRecordBatch(arr, schema);
        }
        finally { CArrowArray.Free(arr); CArrowSchema.Free(sch); }
    }

    [Fact]
    public void ParametersDeclareConvertAndValidate()
    {
        var st = new SmaCross();
        Assert.Equal(new[] { "fast", "slow", "volume" }, st.Parameters.Select(p => p.Name));
        var fast = st.GetParam("fast");
        Assert.Equal(typeof(int), fast.ValueType);
        Assert.Equal(10, fast.DefaultValue);
        Assert.True(fast.CanOptimize);
        Assert.Equal(5, fast.OptimizeFrom); Assert.Equal(50, fast.OptimizeTo); Assert.Equal(5, fast.OptimizeStep);
        Assert.Equal(200, st.GetParam("slow").OptimizeTo);
        Assert.False(st.GetParam("volume").CanOptimize);

        st.SetParameter("fast", 7L); Assert.Equal(7, st.Fast);
        st.SetParameter("fast", 8.0); Assert.Equal(8, st.Fast);
        st.SetParameter("fast", "9"); Assert.Equal(9, st.Fast);
        st.SetParameter("fast", 12m); Assert.Equal(12, st.Fast);
        st.SetParameter("volume", 2); Assert.Equal(2.0, st.TradeVolume);
        st.SetParameter("volume", "2.5"); Assert.Equal(2.5, st.TradeVolume);

        var unknown = Assert.Throws<ArgumentException>(() => st.SetParameter("fats", 3));
        Assert.Contains("unknown parameter 'fats'", unknown.Message);
        Assert.Contains("fast, slow, volume", unknown.Message);
        var frac = Assert.Throws<ArgumentException>(() => st.SetParameter("fast", 2.5));
        Assert.Contains("parameter 'fast': expected a whole number", frac.Message);
        Assert.Throws<ArgumentException>(() => st.SetParameter("fast", "abc"));
        Assert.Throws<ArgumentException>(() => st.SetParameter("fast", true));
        var range = Assert.Throws<ArgumentException>(() => st.SetParameter("fast", 0));
        Assert.Contains("outside the allowed range [1, 100000]", range.Message);
        Assert.Equal(12, st.Fast); // unchanged after the failures
        Assert.Throws<ArgumentException>(() => st.Param("fast", 1)); // declared twice
    }

    [Fact]
    public void CatalogCreatesBuiltins()
    {
        Assert.Contains("sma_cross", StrategyCatalog.Names);
        var st = StrategyCatalog.Create("sma_cross");
        Assert.IsType<SmaCross>(st);
        Assert.Equal("sma_cross", st.Name);
        var ex = Assert.Throws<ArgumentException>(() => StrategyCatalog.Create("nope"));
        Assert.Contains("unknown strategy 'nope'", ex.Message);
        Assert.Equal("0.1.0", EngineInfo.Version);
        Assert.Equal(new Version(0, 1, 0, 0), typeof(Strategy).Assembly.GetName().Version);
    }

    [Fact]
    public unsafe void SeriesFromPointersCopiesAndSlices()
    {
        long[] t = { 1, 2, 3 }; double[] o = { 1, 2, 3 }, h = { 2, 3, 4 }, l = { 0, 1, 2 }, c = { 1.5, 2.5, 3.5 }, v = { 10, 20, 30 };
        CandleSeries s;
        fixed (long* pt = t) fixed (double* po = o, ph = h, pl = l, pc = c, pv = v)
            s = CandleSeries.FromPointers("X", "1d", 3, (IntPtr)pt, (IntPtr)po, (IntPtr)ph, (IntPtr)pl, (IntPtr)pc, (IntPtr)pv, 0.5, 2);
        c[0] = 99; // a copy was made
        Assert.Equal(1.5, s.Close[0]);
        Assert.Equal(3, s.Count);
        Assert.Equal(0.5, s.PriceStep);
        var sl = s.Slice(1, 2);
        Assert.Equal(new long[] { 2, 3 }, sl.OpenTimes);
        Assert.Equal(new[] { 2.5, 3.5 }, sl.Close);
        var candle = s[2];
        Assert.Equal(2, candle.Index); Assert.Equal(4, candle.High); Assert.Equal(30, candle.Volume);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Slice(2, 2));
        Assert.Throws<ArgumentException>(() => new CandleSeries("X", "1d", t, o, h, l, c, new double[2]));
    }

    [Fact]
    public void MovingAveragesHandWorked()
    {
        // SMA(3) of 1,2,3,4,6: NaN, NaN, 2, 3, 13/3
        var sma = SimpleMovingAverage.Compute(new[] { 1.0, 2, 3, 4, 6 }, 3);
        Assert.True(double.IsNaN(sma[0]) && double.IsNaN(sma[1]));
        Assert.Equal(2, sma[2], 12); Assert.Equal(3, sma[3], 12); Assert.Equal(13.0 / 3, sma[4], 12);
        // EMA(3): alpha = 2/4 = 0.5; seed SMA(1,2,3) = 2; x=4 -> 2 + 0.5*(4-2) = 3; x=6 -> 3 + 0.5*(6-3) = 4.5
        var ema = new ExponentialMovingAverage(3);
        Assert.True(double.IsNaN(ema.Process(1))); Assert.True(double.IsNaN(ema.Process(2))); Assert.False(ema.IsFormed);
        Assert.Equal(2, ema.Process(3), 12); Assert.True(ema.IsFormed);
        Assert.Equal(3, ema.Process(4), 12);
        Assert.Equal(4.5, ema.Process(6), 12);
        ema.Reset(); Assert.False(ema.IsFormed); Assert.True(double.IsNaN(ema.Value));
    }
}
