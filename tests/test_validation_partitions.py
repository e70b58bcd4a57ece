"""Walk-forward partitions: exact windows, no train/test overlap, holdout cut off and guarded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pystocksharp.errors import InputError
from pystocksharp.validation.partitions import HoldoutAccessError, HoldoutGuard, Partitions


def _spans(p: Partitions) -> list[tuple[int, int, int, int]]:
    return [(w.train.start, w.train.stop, w.test.start, w.test.stop) for w in p.windows]


def _daily_frame() -> pd.DataFrame:
    index = pd.date_range("2018-01-01", "2023-12-31", freq="B", tz="UTC", name="timestamp")
    return pd.DataFrame({"close": np.arange(len(index), dtype=float)}, index=index)


def _assert_sound(p: Partitions) -> None:
    for w in p.windows:
        train, test = set(range(w.train.start, w.train.stop)), set(range(w.test.start, w.test.stop))
        assert train and test
        assert not train & test  # a window never tests on its own training bars
        assert max(train) < min(test)  # training strictly precedes testing
        assert w.test.stop <= p.selection_end  # no window reaches the holdout
    for a, b in zip(p.windows, p.windows[1:], strict=False):
        assert a.test.stop <= b.test.start  # test windows do not overlap each other


def test_rolling_bar_counts_exact() -> None:
    # 100 bars, holdout 20 -> windows may use bars 0..79; train 40, test 10, step 10
    p = Partitions.build(100, train=40, test=10, holdout=20)
    assert p.selection_end == 80
    assert _spans(p) == [(0, 40, 40, 50), (10, 50, 50, 60), (20, 60, 60, 70), (30, 70, 70, 80)]
    _assert_sound(p)


def test_anchored_bar_counts_exact() -> None:
    p = Partitions.build(100, train=40, test=10, holdout=20, anchored=True)
    assert _spans(p) == [(0, 40, 40, 50), (0, 50, 50, 60), (0, 60, 60, 70), (0, 70, 70, 80)]
    _assert_sound(p)


def test_step_longer_than_test_leaves_gaps() -> None:
    # train starts 0, 25, 50, 75; the fourth would test bars 105..114, past the 100 bars
    p = Partitions.build(100, train="30", test=10, step=25)
    assert _spans(p) == [(0, 30, 30, 40), (25, 55, 55, 65), (50, 80, 80, 90)]


def test_calendar_windows_and_holdout() -> None:
    frame = _daily_frame()
    p = Partitions.build(frame, train="2y", test="6m", holdout="1y")
    # last bar Fri 2023-12-29; minus 1 year = 2022-12-29 -> holdout from the next bar, 2022-12-30
    assert p.holdout_start == pd.Timestamp("2022-12-30", tz="UTC")
    table = p.table()
    # window 0: train [2018-01-01, 2020-01-01), test [2020-01-01, 2020-07-01)
    assert table.loc[0, ["train_start", "train_end", "test_start", "test_end"]].tolist() == [
        "2018-01-01T00:00:00+00:00",
        "2019-12-31T00:00:00+00:00",
        "2020-01-01T00:00:00+00:00",
        "2020-06-30T00:00:00+00:00",
    ]
    # steps of 6 months from 2018-01-01: test windows start 2020-01, 2020-07, 2021-01, 2021-07,
    # 2022-01; the next would end 2023-01-01, past the holdout start
    starts = [frame.index[w.test.start].strftime("%Y-%m-%d") for w in p.windows]
    assert starts == ["2020-01-01", "2020-07-01", "2021-01-01", "2021-07-01", "2022-01-03"]
    _assert_sound(p)
    anchored = Partitions.build(frame, train="2y", test="6m", holdout="1y", anchored=True)
    assert [w.train.start for w in anchored.windows] == [0] * 5
    assert [w.test.start for w in anchored.windows] == [w.test.start for w in p.windows]
    _assert_sound(anchored)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(20, 400),
    train=st.integers(1, 80),
    test=st.integers(1, 40),
    extra_step=st.integers(0, 20),
    holdout=st.one_of(st.none(), st.integers(1, 60)),
    anchored=st.booleans(),
)
def test_windows_never_overlap(
    n: int, train: int, test: int, extra_step: int, holdout: int | None, anchored: bool
) -> None:
    try:
        p = Partitions.build(
            n, train=train, test=test, step=test + extra_step, holdout=holdout, anchored=anchored
        )
    except InputError:
        return  # nothing fits: reported as input error
    _assert_sound(p)
    assert p.selection_end == n - (holdout or 0)


def test_training_data_cuts_the_holdout() -> None:
    frame = _daily_frame()
    p = Partitions.build(frame, train="2y", test="6m", holdout="1y")
    training = p.training_data(frame)
    assert training.index.max() < p.holdout_start
    assert len(training) + len(p.holdout_data(frame)) == len(frame)
    assert p.holdout_data(frame).index[0] == p.holdout_start
    assert p.selection_view(frame).equals(training)
    with pytest.raises(ValueError, match="bars"):
        p.training_data(frame.iloc[:-1])


def test_guard_raises_on_holdout_bars() -> None:
    frame = _daily_frame()
    p = Partitions.build(frame, train="2y", test="6m", holdout="1y")
    guard = p.guard()
    guard.check(p.training_data(frame), "optimize")  # fine
    with pytest.raises(HoldoutAccessError, match="optimize"):
        guard.check(frame, "optimize")
    with pytest.raises(HoldoutAccessError):
        guard.check(frame.loc[frame.index >= p.holdout_start].iloc[:1], "rank")

    seen: list[int] = []
    optimize = guard.wrap(lambda f: seen.append(len(f)) or len(f), "optimize")
    assert optimize(p.train_data(frame, p.windows[0])) == p.windows[0].train_bars
    with pytest.raises(HoldoutAccessError):
        optimize(frame.iloc[-5:])
    assert seen == [p.windows[0].train_bars]  # the leaking call never reached the optimizer


def test_guard_on_bar_positions() -> None:
    frame = pd.DataFrame({"close": np.ones(100)})
    p = Partitions.build(100, train=40, test=10, holdout=20)
    guard = p.guard(frame)
    guard.check(frame.iloc[:80], "optimize")
    with pytest.raises(HoldoutAccessError, match="bar 80"):
        guard.check(frame.iloc[70:81], "optimize")
    HoldoutGuard(None).check(frame, "optimize")  # no holdout: everything passes


def test_every_problem_reported_at_once() -> None:
    with pytest.raises(InputError) as err:
        Partitions.build(100, train="2y", test="0", holdout="x")
    fields = sorted(p.field or "" for p in err.value.problems)
    assert fields == ["holdout", "test", "train"]


def test_unfit_and_overlapping_windows_rejected() -> None:
    with pytest.raises(InputError, match="overlap"):
        Partitions.build(100, train=20, test=10, step=5)
    with pytest.raises(InputError, match="no complete window"):
        Partitions.build(100, train=60, test=30, holdout=20)
    with pytest.raises(InputError, match="covers all"):
        Partitions.build(100, train=10, test=10, holdout=100)


_BDAYS = pd.date_range("2015-01-01", "2024-12-31", freq="B", tz="UTC")


@settings(max_examples=60, deadline=None)
@given(
    train=st.sampled_from(["6m", "1y", "18m", "2y", "300d", "52w", "400"]),
    test=st.sampled_from(["1m", "3m", "6m", "30d", "4w", "60"]),
    step=st.sampled_from([None, "6m", "1y", "90d", "120"]),
    holdout=st.sampled_from([None, "6m", "1y", "250"]),
    anchored=st.booleans(),
)
def test_calendar_and_mixed_windows_never_overlap(
    train: str, test: str, step: str | None, holdout: str | None, anchored: bool
) -> None:
    try:
        p = Partitions.build(_BDAYS, train=train, test=test, step=step, holdout=holdout, anchored=anchored)
    except InputError as err:
        assert any("overlap" in pr.message or "no complete window" in pr.message for pr in err.problems)
        return
    _assert_sound(p)
    if holdout is not None:
        assert p.holdout_start is not None
        assert all(_BDAYS[w.test.stop - 1] < p.holdout_start for w in p.windows)
