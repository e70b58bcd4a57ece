using PyStockSharp.Engine.Indicators;

namespace PyStockSharp.Engine.Tests;

public class IndicatorTests
{
    private const double Tol = 1e-9;
    private static void Eq(double expected, double actual) => Assert.Equal(expected, actual, Tol);
    private static void Nan(double v) => Assert.True(double.IsNaN(v), $"expected NaN, got {v}");

    // bars (H, L, C) used by the candle indicators
    private static readonly double[] H = { 10, 11, 13, 12, 15 };
    private static readonly double[] L = { 8, 9, 10, 11, 14 };
    private static readonly double[] C = { 9, 10, 12, 11.5, 14.5 };

    [Fact]
    public void WeightedMovingAverage()
    {
        // WMA(3): idx2 (1*1 + 2*2 + 3*3)/6 = 14/6; idx3 (2*1 + 3*2 + 6*3)/6 = 26/6
        var r = Indicators.WeightedMovingAverage.Compute(new[] { 1.0, 2, 3, 6 }, 3);
        Nan(r[0]); Nan(r[1]); Eq(14.0 / 6, r[2]); Eq(26.0 / 6, r[3]);
    }

    [Fact]
    public void RsiWilder()
    {
        // changes +1, -0.5, +1.5, -1; RSI(2):
        // idx2: gain (1+0)/2 = 0.5, loss (0+0.5)/2 = 0.25, RS 2 -> 100 - 100/3
        // idx3: gain (0.5*1 + 1.5)/2 = 1, loss (0.25*1 + 0)/2 = 0.125, RS 8 -> 100 - 100/9
        // idx4: gain (1 + 0)/2 = 0.5, loss (0.125 + 1)/2 = 0.5625, RS 8/9 -> 100 - 900/17 = 800/17
        var r = RelativeStrengthIndex.Compute(new[] { 10, 11, 10.5, 12, 11 }, 2);
        Nan(r[0]); Nan(r[1]);
        Eq(100 - 100.0 / 3, r[2]); Eq(100 - 100.0 / 9, r[3]); Eq(800.0 / 17, r[4]);
        // only gains -> 100; flat -> 50
        Eq(100, RelativeStrengthIndex.Compute(new[] { 1.0, 2, 3 }, 2)[2]);
        Eq(50, RelativeStrengthIndex.Compute(new[] { 1.0, 1, 1 }, 2)[2]);
    }

    [Fact]
    public void RateOfChange()
    {
        // ROC(2): idx2 100*(12-10)/10 = 20; idx3 100*(9-11)/11
        var r = Indicators.RateOfChange.Compute(new[] { 10.0, 11, 12, 9 }, 2);
        Nan(r[1]); Eq(20, r[2]); Eq(-200.0 / 11, r[3]);
    }

    [Fact]
    public void HighestLowest()
    {
        var x = new[] { 3.0, 1, 4, 1, 5 };
        Assert.Equal(new[] { double.NaN, double.NaN, 4, 4, 5 }, Highest.Compute(x, 3));
        Assert.Equal(new[] { double.NaN, double.NaN, 1, 1, 1 }, Lowest.Compute(x, 3));
    }

    [Fact]
    public void Bollinger()
    {
        // (3, 2) on 1,2,3,4: idx2 mean 2, population variance (1 + 0 + 1)/3 = 2/3; idx3 mean 3, same variance
        var r = BollingerBands.Compute(new[] { 1.0, 2, 3, 4 }, 3, 2);
        double sd = Math.Sqrt(2.0 / 3);
        Nan(r["middle"][1]); Nan(r["upper"][1]);
        Eq(2, r["middle"][2]); Eq(2 + 2 * sd, r["upper"][2]); Eq(2 - 2 * sd, r["lower"][2]);
        Eq(3 + 2 * sd, r["upper"][3]);
    }

    [Fact]
    public void Macd()
    {
        // MACD(2, 3, 2) on 1, 2, 4, 8, 16
        // EMA2 (alpha 2/3): 3/2, 19/6, 115/18, 691/54 ; EMA3 (alpha 1/2): 7/3, 31/6, 127/12
        // macd: 5/6, 11/9, 239/108; signal EMA2 of macd: seed (5/6 + 11/9)/2 = 37/36, then 37/36 + 2/3*(239/108 - 37/36) = 589/324
        var r = MovingAverageConvergenceDivergence.Compute(new[] { 1.0, 2, 4, 8, 16 }, 2, 3, 2);
        Nan(r["macd"][1]);
        Eq(5.0 / 6, r["macd"][2]); Eq(11.0 / 9, r["macd"][3]); Eq(239.0 / 108, r["macd"][4]);
        Nan(r["signal"][2]); Eq(37.0 / 36, r["signal"][3]); Eq(589.0 / 324, r["signal"][4]);
        Eq(239.0 / 108 - 589.0 / 324, r["histogram"][4]); // 128/324
    }

    [Fact]
    public void AtrWilder()
    {
        // TR: 2 (first bar H-L), max(2, |11-9|, |9-9|) = 2, max(3, |13-10|, |10-10|) = 3, max(1, |12-12|, |11-12|) = 1,
        //     max(1, |15-11.5|, |14-11.5|) = 3.5 (gap)
        // ATR(2): idx1 (2+2)/2 = 2; idx2 (2+3)/2 = 2.5; idx3 (2.5+1)/2 = 1.75; idx4 (1.75+3.5)/2 = 2.625
        var r = AverageTrueRange.Compute(H, L, C, 2);
        Nan(r[0]); Eq(2, r[1]); Eq(2.5, r[2]); Eq(1.75, r[3]); Eq(2.625, r[4]);
    }

    [Fact]
    public void Stochastic()
    {
        // K(3): idx2 100*(12-8)/(13-8) = 80; idx3 100*(11.5-9)/(13-9) = 62.5; idx4 100*(14.5-10)/(15-10) = 90
        // D(2): idx3 (80+62.5)/2 = 71.25; idx4 (62.5+90)/2 = 76.25
        var r = StochasticOscillator.Compute(H, L, C, 3, 2);
        Nan(r["k"][1]); Eq(80, r["k"][2]); Eq(62.5, r["k"][3]); Eq(90, r["k"][4]);
        Nan(r["d"][2]); Eq(71.25, r["d"][3]); Eq(76.25, r["d"][4]);
    }

    [Fact]
    public void Donchian()
    {
        var r = DonchianChannels.Compute(H, L, 3);
        Nan(r["upper"][1]);
        Eq(13, r["upper"][2]); Eq(8, r["lower"][2]); Eq(10.5, r["middle"][2]);
        Eq(15, r["upper"][4]); Eq(10, r["lower"][4]); Eq(12.5, r["middle"][4]);
    }

    [Fact]
    public void AdxWilder()
    {
        // bars (H, L, C): (10,8,9) (11,9,10) (10.5,7,8) (9,6,8.5) (12,8.5,11.5)
        // +DM: 1, 0, 0, 3 ; -DM: 0, 2, 1, 0 ; TR: 2, 3.5, 3, 3.5   (bars 1..4)
        // N=2. idx2: TR_s 5.5, +DM_s 1, -DM_s 2 -> DX = 100 * 1/3
        // idx3: TR_s 5.5 - 2.75 + 3 = 5.75, +DM_s 1 - 0.5 = 0.5, -DM_s 2 - 1 + 1 = 2 -> DX = 100 * 1.5/2.5 = 60; ADX = (100/3 + 60)/2 = 140/3
        // idx4: TR_s 5.75 - 2.875 + 3.5 = 6.375, +DM_s 0.5 - 0.25 + 3 = 3.25, -DM_s 2 - 1 = 1 -> DX = 100 * 2.25/4.25 = 900/17
        //       ADX = (140/3 + 900/17)/2 = 2540/51 ; +DI = 100 * 3.25/6.375
        var r = AverageDirectionalIndex.Compute(new[] { 10, 11, 10.5, 9, 12 }, new[] { 8.0, 9, 7, 6, 8.5 }, new[] { 9, 10, 8, 8.5, 11.5 }, 2);
        Nan(r["adx"][2]); Eq(100.0 / 5.5, r["plus_di"][2]); Eq(200.0 / 5.5, r["minus_di"][2]);
        Eq(140.0 / 3, r["adx"][3]);
        Eq(2540.0 / 51, r["adx"][4]);
        Eq(100 * 3.25 / 6.375, r["plus_di"][4]);
    }

    [Fact]
    public void Cci()
    {
        // TP: 9, 10, 35/3; mean 92/9; |dev|: 11/9, 2/9, 13/9 -> mean deviation 26/27
        // CCI = (105/9 - 92/9) / (0.015 * 26/27) = (13/9) * 27 / 0.39 = 100
        var r = CommodityChannelIndex.Compute(H, L, C, 3);
        Nan(r[1]); Eq(100, r[2]);
    }

    [Fact]
    public void VwapResetsEachSession()
    {
        const long hour = 3_600_000_000_000L;
        long day = VolumeWeightedAveragePrice.DayNs;
        // TP 10 (V 100), TP 12 (V 300) -> (1000 + 3600)/400 = 11.5; new UTC day -> TP 20
        var r = VolumeWeightedAveragePrice.Compute(new[] { 0, hour, day }, new[] { 11.0, 13, 21 }, new[] { 9.0, 11, 19 },
            new[] { 10.0, 12, 20 }, new[] { 100.0, 300, 50 });
        Eq(10, r[0]); Eq(11.5, r[1]); Eq(20, r[2]);
    }

    [Fact]
    public void Obv()
    {
        // closes 10, 11, 11, 9, 12 ; volumes 5..9 -> 0, +6, 6, 6-8 = -2, -2+9 = 7
        Assert.Equal(new[] { 0.0, 6, 6, -2, 7 }, OnBalanceVolume.Compute(new[] { 10.0, 11, 11, 9, 12 }, new[] { 5.0, 6, 7, 8, 9 }));
    }

    [Fact]
    public void IncrementalMatchesBulkAndResetRestarts()
    {
        var s = TestUtil.RandomWalk(300, seed: 3);
        var bulk = AverageDirectionalIndex.Compute(s, 14)["adx"];
        var adx = new AverageDirectionalIndex(14);
        for (int i = 0; i < s.Count; i++) Assert.Equal(bulk[i], adx.Process(s[i]));
        Assert.True(adx.IsFormed);
        adx.Reset();
        Assert.False(adx.IsFormed);
        Assert.Equal(bulk[0], adx.Process(s[0]));
        IIndicator rsi = new RelativeStrengthIndex(14);
        var rb = RelativeStrengthIndex.Compute(s.Close, 14);
        for (int i = 0; i < s.Count; i++) Assert.Equal(rb[i], rsi.Process(s.Close[i]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleMovingAverage(0));
    }
}
