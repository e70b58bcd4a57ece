"""Python strategies for tests/test_optimize_cluster.py (loaded as 'tests/cluster_strategies.py:Class')."""

from __future__ import annotations

import os

from pystocksharp.strategy import Candle, Param, Strategy

#: Environment variable naming a marker file: the first process that runs :class:`DiesOnce` on the
#: combination ``entry=DIE_ENTRY, hold=DIE_HOLD`` creates it and exits at once (a worker lost mid-run).
#: ``always``: every process that runs that combination exits.
DIE_MARKER = "PYSTOCKSHARP_TEST_DIE_MARKER"
DIE_ENTRY, DIE_HOLD = 25, 20


class DiesOnce(Strategy):
    """Buys 1 unit at bar ``entry`` and sells it at bar ``entry + hold``; see :data:`DIE_MARKER`."""

    name = "dies_once"
    entry = Param(5, min=0)
    hold = Param(20, min=1)

    def on_candle(self, candle: Candle) -> None:
        if candle.index == 0 and (self.entry, self.hold) == (DIE_ENTRY, DIE_HOLD):
            _exit_the_first_time()
        if candle.index == self.entry:
            self.buy_market(1)
        elif candle.index == self.entry + self.hold:
            self.sell_market(1)


def _exit_the_first_time() -> None:
    marker = os.environ.get(DIE_MARKER)
    if not marker:
        return
    if marker == "always":
        os._exit(3)
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # atomic: exactly one process gets here
    except FileExistsError:
        return
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    os._exit(3)  # no clean-up, no reply: the process is gone, as after a crash or an OOM kill
