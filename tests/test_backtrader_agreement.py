"""Our engine and backtrader agree on the same reversal SMA crossover on GOOG_1d.

Setup on both sides: fast=10, slow=20 simple moving averages of the close; at bar t with both
formed at t-1 and t, an up-cross (fast[t-1] <= slow[t-1] and fast[t] > slow[t]) with position
<= 0 buys 10 - position, a down-cross (>=, <) with position >= 0 sells 10 + position, one market
order per signal (close and reverse in one order), filled at the next bar's open; capital
10,000; commission 0.2 % of the fill's notional. backtrader: no cheat-on-open, no
cheat-on-close, its SMA values, stock-like commission (``percabs=True``: 0.002 = 0.2 %).

Convention check: for a stock-like short, backtrader adds the sale proceeds to cash and values
the position at size * price (negative), so value = cash + size * close, as our equity.
"""

from __future__ import annotations

import math

import backtrader as bt  # a dev dependency (pyproject [dev])
import pandas as pd
import pytest

FAST, SLOW, VOLUME, CAPITAL, COMMISSION = 10, 20, 10.0, 10_000.0, 0.002


class _Cross(bt.Strategy):
    def __init__(self) -> None:
        self.fast = bt.indicators.SMA(self.data.close, period=FAST)
        self.slow = bt.indicators.SMA(self.data.close, period=SLOW)
        self.executions: list[tuple[pd.Timestamp, int, float, float, float]] = []
        self.closed: list[tuple[pd.Timestamp, pd.Timestamp, int, float]] = []

    def next(self) -> None:
        pf, ps, f, s = self.fast[-1], self.slow[-1], self.fast[0], self.slow[0]
        if any(math.isnan(x) for x in (pf, ps, f, s)):
            return
        pos = self.position.size
        if pf <= ps and f > s and pos <= 0:
            self.buy(size=VOLUME - pos)
        elif pf >= ps and f < s and pos >= 0:
            self.sell(size=VOLUME + pos)

    def notify_order(self, order: bt.Order) -> None:
        if order.status == order.Completed:
            ex = order.executed
            when = pd.Timestamp(bt.num2date(ex.dt), tz="UTC")
            self.executions.append((when, 1 if ex.size > 0 else -1, ex.price, abs(ex.size), ex.comm))
        elif order.status in (order.Margin, order.Rejected, order.Canceled):
            raise AssertionError(f"backtrader did not fill an order: {order.getstatusname()}")

    def notify_trade(self, trade: bt.Trade) -> None:
        if trade.isclosed:
            opened = pd.Timestamp(bt.num2date(trade.dtopen), tz="UTC")
            closed = pd.Timestamp(bt.num2date(trade.dtclose), tz="UTC")
            self.closed.append((opened, closed, 1 if trade.long else -1, trade.pnl))


def _run_backtrader(frame: pd.DataFrame) -> tuple[_Cross, float, float]:
    cerebro = bt.Cerebro(stdstats=False, cheat_on_open=False)
    feed = frame.copy()
    feed.index = feed.index.tz_localize(None)
    cerebro.adddata(bt.feeds.PandasData(dataname=feed, openinterest=None))
    cerebro.addstrategy(_Cross)
    cerebro.broker.setcash(CAPITAL)
    cerebro.broker.set_coc(False)
    cerebro.broker.setcommission(commission=COMMISSION, percabs=True, stocklike=True)
    [strategy] = cerebro.run()
    return strategy, cerebro.broker.getvalue(), cerebro.broker.getcash()


def _round_trips(
    fills: list[tuple[pd.Timestamp, int, float, float]],
) -> list[tuple[pd.Timestamp, pd.Timestamp, int, float, float, float]]:
    """(entry time, exit time, side, entry price, exit price, volume) of FIFO-matched fills.

    Every fill here is either an entry of VOLUME or a reversal of 2 * VOLUME (exit + entry)."""
    trips = []
    open_lot: tuple[pd.Timestamp, int, float] | None = None
    for when, side, price, volume in fills:
        remaining = volume
        if open_lot is not None and side != open_lot[1]:
            trips.append((open_lot[0], when, open_lot[1], open_lot[2], price, VOLUME))
            remaining -= VOLUME
            open_lot = None
        if remaining > 0:
            assert remaining == VOLUME
            open_lot = (when, side, price)
    return trips


@pytest.mark.engine
def test_engine_and_backtrader_agree_on_goog_sma_cross() -> None:
    from pystocksharp.backtest import backtest
    from pystocksharp.data import load_ohlcv, sample_path

    data = load_ohlcv(sample_path("GOOG_1d"))
    ours = backtest(
        "sma_cross",
        data,
        params={"fast": FAST, "slow": SLOW, "volume": VOLUME},
        capital=CAPITAL,
        commission=COMMISSION,
    )
    theirs, value, cash = _run_backtrader(data.frame)

    our_fills = list(
        zip(
            ours.trades["time"],
            ours.trades["side"].astype(int),
            ours.trades["price"],
            ours.trades["volume"],
            strict=True,
        )
    )
    their_fills = [(t, s, p, v) for t, s, p, v, _ in theirs.executions]
    assert len(our_fills) == 94
    # every fill: same time, side and volume; same price (backtrader's float noise: 417.0400000000001)
    assert [(t, s, v) for t, s, _, v in our_fills] == [(t, s, v) for t, s, _, v in their_fills]
    assert [p for _, _, p, _ in our_fills] == pytest.approx([p for _, _, p, _ in their_fills], abs=1e-9)

    our_trips = _round_trips(our_fills)
    their_trips = _round_trips(their_fills)
    assert [(a, b, s, v) for a, b, s, _, _, v in our_trips] == [
        (a, b, s, v) for a, b, s, _, _, v in their_trips
    ]

    def prices(trips: list) -> list[float]:
        return [price for *_, entry, exit_, _ in trips for price in (entry, exit_)]

    assert prices(our_trips) == pytest.approx(prices(their_trips), abs=1e-9)
    assert len(our_trips) == ours.summary.round_trips == 93
    # backtrader's own closed trades: (open time, close time, direction, gross pnl)
    assert [(a, b, s) for a, b, s, _ in theirs.closed] == [(a, b, s) for a, b, s, *_ in our_trips]
    for (*_, pnl), (_, _, side, entry, exit_, volume) in zip(theirs.closed, our_trips, strict=True):
        assert pnl == pytest.approx(side * volume * (exit_ - entry), abs=1e-9)

    our_commissions = list(ours.trades["commission"])
    assert our_commissions == pytest.approx([c for *_, c in theirs.executions], abs=1e-9)
    assert round(ours.summary.final_equity, 2) == round(value, 2)
    assert round(ours.equity["cash"].iloc[-1], 2) == round(cash, 2)
    assert ours.summary.final_equity == pytest.approx(20_840.9284, abs=1e-6)
