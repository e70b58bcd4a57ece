"""Search strategies: which combinations of a parameter grid an optimization evaluates.

A search is a small object the runner drives, in the shape of LEAN's ``IOptimizationStrategy``:
:meth:`Search.ask` hands out the next batch of combinations not yet evaluated (as
:class:`~pystocksharp.optimization.workers.ComboTask`), the runner evaluates them with the usual
engine machinery, and :meth:`Search.tell` gets each finished
:class:`~pystocksharp.optimization.checkpoint.CombinationRecord` (failures included). The search
never runs anything itself, so every search works with every kind of strategy, in parallel,
checkpointed and resumable.

* :class:`GridSearch` (``grid``, the default): every combination, in grid order, streamed lazily.
* :class:`RandomSearch` (``random``): ``samples`` distinct combinations drawn uniformly without
  replacement from the grid, constraints respected. Indices are drawn into the mixed-radix
  product of the axes, so a huge grid is never listed.
* :class:`GeneticSearch` (``genetic``): a genetic algorithm shaped like StockSharp's
  ``GeneticOptimizer``: population, tournament selection, crossover, mutation, elitism, a
  maximum number of generations and a stop after ``patience`` generations without a better
  best. Genes are grid positions, so every candidate is a grid combination; a candidate that
  breaks a constraint is bred again. Fitness (higher is better) is the first ranking criterion
  or an expression over the result columns. Results are cached by parameter hash: a
  combination is evaluated at most once per run, a resumed run included.

Conventions. A *genome* is a tuple of axis positions, one per parameter in grid order (the
last parameter varies fastest). Its *flat index* is its position in the product of the axes
before constraints; random and genetic records carry it as ``index`` (a grid search records the
position among the combinations that meet the constraints, as before), so sorting by ``index``
gives grid order either way. Randomness comes from :class:`random.Random` seeded with ``seed``:
its integer and float draws are the same across platforms and Python versions, so the same
seed and the same results give the same sequence of combinations (what makes a resumed run
replay its search exactly).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from pystocksharp.expressions import Expression
from pystocksharp.optimization.checkpoint import CombinationRecord
from pystocksharp.optimization.ranking import Filter, SortKey
from pystocksharp.optimization.result import SEARCH_FILE
from pystocksharp.optimization.search_settings import (
    SETTINGS,
    GeneticSettings,
    GridSettings,
    RandomSettings,
    SearchReport,
    SearchSettings,
)
from pystocksharp.optimization.workers import ComboTask
from pystocksharp.parameters import NUMERIC_TYPES, ParameterSet, parameter_hash, with_others

__all__ = [
    "SEARCH_FILE",
    "SETTINGS",
    "Fitness",
    "GeneticSearch",
    "GeneticSettings",
    "GridSearch",
    "GridSettings",
    "GridSpace",
    "RandomSearch",
    "RandomSettings",
    "Search",
    "SearchReport",
    "SearchSettings",
    "build_search",
]

#: Result columns a fitness may not use: they are not results, or (wall_ms) differ from run to run.
NOT_FITNESS = frozenset({"index", "parameter_hash", "error", "traceback", "wall_ms"})
Genome = tuple[int, ...]
WORST = -math.inf


# ---- the grid as a mixed-radix product ----------------------------------------------------------


class GridSpace:
    """A parameter grid as the product of its axes: genome <-> flat index <-> parameter values.

    ``total`` is the number of combinations meeting the constraints (``ParameterSet.count()``);
    ``size`` the product of the axis lengths before constraints. Nothing is listed: axes are the
    parameters' lazy grids.
    """

    def __init__(self, pset: ParameterSet, total: int, fixed: Mapping[str, Any] | None = None) -> None:
        self.pset = pset
        #: the strategy's other parameters (outside the grid) at their resolved values: hashed with every combination
        self.fixed = {k: v for k, v in (fixed or {}).items() if k not in pset.names}
        self.names = list(pset.names)
        self.axes = [pset[n].grid() for n in self.names]
        self.sizes = [len(a) for a in self.axes]
        self.size = math.prod(self.sizes)
        self.total = total
        #: per axis: True when its values are ordered numbers (mutation steps to a near value)
        self.ordered = [pset[n].type in NUMERIC_TYPES for n in self.names]

    def flat(self, genome: Genome) -> int:
        index = 0
        for position, size in zip(genome, self.sizes, strict=True):
            index = index * size + position
        return index

    def genome(self, flat: int) -> Genome:
        positions: list[int] = []
        for size in reversed(self.sizes):
            flat, position = divmod(flat, size)
            positions.append(position)
        return tuple(reversed(positions))

    def values(self, genome: Genome) -> dict[str, Any]:
        """Parameter values of a genome as plain Python scalars (what is hashed and run)."""
        return {n: _plain(a[p]) for n, a, p in zip(self.names, self.axes, genome, strict=True)}

    def admits(self, genome: Genome) -> bool:
        return self.pset.admits(self.values(genome))

    def hash(self, values: Mapping[str, Any]) -> str:
        """The parameter hash of a combination: of its whole parameter record, the grid's ``values`` over the
        :attr:`fixed` ones (what a backtest of it records, so ``backtest --config`` gives the same hash)."""
        return parameter_hash(with_others(values, self.fixed))

    def task(self, genome: Genome) -> ComboTask:
        values = self.values(genome)
        return ComboTask(index=self.flat(genome), parameter_hash=self.hash(values), parameters=values)

    def random_genomes(self, rng: random.Random) -> Iterator[Genome]:
        """Distinct genomes meeting the constraints, uniformly at random, lazily, until all ``total``
        are out. Flat indices are drawn into the product (repeats and constraint breakers skipped):
        cheap while few are drawn; a sample near ``total`` costs up to ~``size * ln(size)`` draws."""
        seen: set[int] = set()
        found = 0
        while found < self.total:
            flat = rng.randrange(self.size)
            if flat in seen:
                continue
            seen.add(flat)
            genome = self.genome(flat)
            if self.admits(genome):
                found += 1
                yield genome


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


# ---- fitness ------------------------------------------------------------------------------------


def fitness_names(settings: GeneticSettings) -> set[str]:
    """The result columns a genetic search's fitness expression reads (empty without one)."""
    return set(Expression(settings.fitness).names) if settings.fitness else set()


class Fitness:
    """Fitness of a record, higher is better: ``expression`` over its result columns, else the
    first ranking criterion (negated when ascending). A failed combination, one failing a
    ``filters`` rule, or one whose fitness is not a finite number (a missing metric, a division by
    zero) gets ``-inf``, the worst."""

    def __init__(self, expression: str | None, key: SortKey, filters: Sequence[Filter] = ()) -> None:
        self.expression = Expression(expression) if expression else None
        self.key = key
        self.filters = list(filters)

    def __call__(self, record: CombinationRecord) -> float:
        if not record.ok:
            return WORST
        row = _row(record)
        if self.filters and not self._passes(row):
            return WORST
        try:
            value = float(self.expression(row)) if self.expression else float(row[self.key.column])
        except (ArithmeticError, TypeError, ValueError, KeyError):
            return WORST
        if self.expression is None and not self.key.descending:
            value = -value
        return value if math.isfinite(value) else WORST

    def _passes(self, row: Mapping[str, Any]) -> bool:
        import pandas as pd  # noqa: PLC0415

        frame = pd.DataFrame([{k: (math.nan if v is None else v) for k, v in row.items()}])
        return all(bool(f.mask(frame)[0]) for f in self.filters)


def _row(record: CombinationRecord) -> dict[str, Any]:
    """A record's result columns as the results table has them (summary first, then metrics)."""
    row: dict[str, Any] = dict(record.parameters)
    row.update(record.model_dump(exclude={"parameters", "metrics", "error", "traceback"}))
    row.update({k: v for k, v in record.metrics.items() if k not in row})
    return row


# ---- the protocol and the three searches --------------------------------------------------------


class Search(Protocol):
    """What the runner drives: ``while not search.done: evaluate(search.ask())``, telling each result."""

    kind: str

    @property
    def done(self) -> bool:
        """True once the search wants nothing more evaluated."""
        ...

    @property
    def evaluations(self) -> int:
        """Distinct combinations told so far (resumed ones included)."""
        ...

    @property
    def budget(self) -> int:
        """The most combinations the search may evaluate (a progress bar's total)."""
        ...

    def ask(self) -> Iterable[ComboTask]:
        """The next batch of combinations not yet evaluated (may be consumed lazily)."""
        ...

    def tell(self, record: CombinationRecord) -> None:
        """One finished combination of the batch (from the engine, or from the checkpoint)."""
        ...

    def report(self, *, finished: bool) -> SearchReport: ...


class _OneBatch:
    """A search whose whole work is one lazy batch (:meth:`_stream`), asked for once; it counts what it is
    told."""

    kind = ""

    def __init__(self, space: GridSpace) -> None:
        self.space = space
        self._asked = False
        self._told = 0

    @property
    def done(self) -> bool:
        return self._asked

    @property
    def evaluations(self) -> int:
        return self._told

    def ask(self) -> Iterator[ComboTask]:
        if self._asked:
            return iter(())
        self._asked = True
        return self._stream()

    def _stream(self) -> Iterator[ComboTask]:
        raise NotImplementedError

    def tell(self, record: CombinationRecord) -> None:
        self._told += 1

    def _report(self, finished: bool, done_reason: str) -> SearchReport:
        return SearchReport(kind=self.kind, evaluations=self._told, total=self.space.total, finished=finished,
                            stop_reason=done_reason if finished else "interrupted")  # fmt: skip


class GridSearch(_OneBatch):
    """Every combination in grid order, as one lazy batch (a grid is never listed)."""

    kind = "grid"

    def __init__(self, space: GridSpace, combinations: Iterable[Mapping[str, Any]]) -> None:
        super().__init__(space)
        self._combinations = combinations

    @property
    def budget(self) -> int:
        return self.space.total

    def _stream(self) -> Iterator[ComboTask]:
        for index, combo in enumerate(self._combinations):
            values = {name: _plain(combo[name]) for name in self.space.names}
            yield ComboTask(index=index, parameter_hash=self.space.hash(values), parameters=values)

    def report(self, *, finished: bool) -> SearchReport:
        return self._report(finished, "every combination evaluated")


class RandomSearch(_OneBatch):
    """``samples`` distinct random combinations meeting the constraints, as one lazy batch.

    With ``samples >= total`` it is every combination, in grid order.
    """

    kind = "random"

    def __init__(self, space: GridSpace, settings: RandomSettings) -> None:
        super().__init__(space)
        self.settings = settings

    @property
    def budget(self) -> int:
        return min(self.settings.samples, self.space.total)

    def _stream(self) -> Iterator[ComboTask]:
        return (self.space.task(g) for g in self.genomes())

    def genomes(self) -> Iterator[Genome]:
        """The sample, lazily: the same seed gives the same genomes in the same order."""
        if self.settings.samples >= self.space.total:
            return self._every_admitted()
        rng = random.Random(self.settings.seed)
        return _take(self.space.random_genomes(rng), self.settings.samples)

    def _every_admitted(self) -> Iterator[Genome]:
        return (g for g in map(self.space.genome, range(self.space.size)) if self.space.admits(g))

    def report(self, *, finished: bool) -> SearchReport:
        return self._report(finished, f"{self.budget} samples evaluated")


def _take(genomes: Iterator[Genome], n: int) -> Iterator[Genome]:
    for count, genome in enumerate(genomes):
        if count >= n:
            return
        yield genome


class GeneticSearch:
    """A genetic algorithm over grid positions (see the module doc); one batch per generation.

    Each generation: the ``elite`` fittest candidates pass unchanged; every other child has two
    parents picked by tournament (``tournament`` random candidates, the fittest wins), mixes
    them gene by gene with probability ``crossover`` (else copies the first), then mutates each
    gene with probability ``mutation``: a numeric axis moves up or down by a log-uniform number of
    grid steps between 1 and its length - 1 (small and large moves alike, reflected at the
    ends), any other axis takes another of its values. A child breaking a constraint is bred again (after 100 tries, a
    random admissible combination takes its place). Only children not evaluated before are
    asked for. The search ends after ``generations`` generations, after ``patience``
    generations without a better best, or when every combination has been evaluated.
    """

    kind = "genetic"
    BREED_TRIES = 100

    def __init__(self, space: GridSpace, settings: GeneticSettings, fitness: Fitness) -> None:
        self.space = space
        self.settings = settings
        self.fitness = fitness
        self.rng = random.Random(settings.seed)
        self.cache: dict[str, float] = {}  # parameter hash -> fitness
        self.population: list[Genome] | None = None
        self.generation = 0  # index of the current generation (0: the initial one)
        self.best = WORST
        self.best_genome: Genome | None = None
        self._stall = 0
        self._stop_reason: str | None = None if space.total > 0 else "the grid is empty"
        self._hashes: dict[Genome, str] = {}

    @property
    def done(self) -> bool:
        return self._stop_reason is not None

    @property
    def evaluations(self) -> int:
        return len(self.cache)

    @property
    def budget(self) -> int:
        s = self.settings
        return min(self.space.total, s.population + (s.generations - 1) * (s.population - s.elite))

    def ask(self) -> list[ComboTask]:
        while not self.done:
            if self.population is None:
                self.population = self._initial()
            else:
                self._close_generation()
                if self.done:
                    break
                self.population = self._breed()
                self.generation += 1
            fresh = self._unevaluated(self.population)
            if fresh:
                return fresh
        return []

    def tell(self, record: CombinationRecord) -> None:
        self.cache[record.parameter_hash] = self.fitness(record)

    def report(self, *, finished: bool) -> SearchReport:
        reason = self._stop_reason if self.done and finished else "interrupted"
        return SearchReport(
            kind=self.kind, evaluations=self.evaluations, total=self.space.total,
            generations=0 if self.population is None else self.generation + 1,
            best_fitness=None if self.best == WORST else self.best, finished=finished, stop_reason=str(reason),
            best_parameters=None if self.best_genome is None else self.space.values(self.best_genome),
        )  # fmt: skip

    # -- generations --

    def _initial(self) -> list[Genome]:
        return list(_take(self.space.random_genomes(self.rng), self.settings.population))

    def _hash(self, genome: Genome) -> str:
        h = self._hashes.get(genome)
        if h is None:
            h = self._hashes[genome] = self.space.hash(self.space.values(genome))
        return h

    def _unevaluated(self, population: Sequence[Genome]) -> list[ComboTask]:
        tasks: dict[str, ComboTask] = {}
        for genome in population:
            h = self._hash(genome)
            if h not in self.cache and h not in tasks:
                tasks[h] = self.space.task(genome)
        return list(tasks.values())

    def _score(self, genome: Genome) -> float:
        return self.cache.get(self._hash(genome), WORST)

    def _close_generation(self) -> None:
        """Track the best of the generation just evaluated; decide whether to stop."""
        assert self.population is not None
        champion = max(self.population, key=lambda g: (self._score(g), -self.space.flat(g)))
        if self._score(champion) > self.best:
            self.best, self.best_genome, self._stall = self._score(champion), champion, 0
        else:
            self._stall += 1
        s = self.settings
        if len(self.cache) >= self.space.total:
            self._stop_reason = "every combination evaluated"
        elif self.generation + 1 >= s.generations:
            self._stop_reason = f"{s.generations} generations"
        elif s.patience and self._stall >= s.patience:
            self._stop_reason = f"no better best for {s.patience} generations"

    def _breed(self) -> list[Genome]:
        assert self.population is not None
        ranked = sorted(self.population, key=lambda g: (-self._score(g), self.space.flat(g)))
        children = ranked[: self.settings.elite]
        while len(children) < self.settings.population:
            children.append(self._child())
        return children

    def _child(self) -> Genome:
        for _ in range(self.BREED_TRIES):
            first, second = self._tournament(), self._tournament()
            child = self._cross(first, second) if self.rng.random() < self.settings.crossover else first
            child = self._mutate(child)
            if self.space.admits(child):
                return child
        return next(self.space.random_genomes(self.rng))

    def _tournament(self) -> Genome:
        assert self.population is not None
        picks = [self.rng.randrange(len(self.population)) for _ in range(self.settings.tournament)]
        return self.population[max(picks, key=lambda i: (self._score(self.population[i]), -i))]  # type: ignore[index]

    def _cross(self, first: Genome, second: Genome) -> Genome:
        return tuple(a if self.rng.random() < 0.5 else b for a, b in zip(first, second, strict=True))

    def _mutate(self, genome: Genome) -> Genome:
        genes = list(genome)
        for axis, size in enumerate(self.space.sizes):
            if size > 1 and self.rng.random() < self.settings.mutation:
                genes[axis] = self._mutated_gene(axis, genes[axis], size)
        return tuple(genes)

    def _mutated_gene(self, axis: int, position: int, size: int) -> int:
        if not self.space.ordered[axis] or self.rng.random() < 0.5:
            other = self.rng.randrange(size - 1)  # a jump: any other value
            return other if other < position else other + 1
        length = 1  # a creep: 1 step with probability 1/2, 2 with 1/4, ...
        while self.rng.random() < 0.5:
            length += 1
        return _reflect(position + (length if self.rng.random() < 0.5 else -length), size)


def _reflect(position: int, size: int) -> int:
    """``position`` folded back into ``[0, size)`` at both ends (a mirror, period ``2 * (size - 1)``)."""
    period = 2 * (size - 1)
    position %= period
    return position if position < size else period - position


def build_search(
    settings: GridSettings | RandomSettings | GeneticSettings,
    space: GridSpace,
    combinations: Iterable[Mapping[str, Any]],
    rank: SortKey,
    filters: Sequence[Filter] = (),
) -> Search:
    """The search ``settings`` describe, over ``space`` (``combinations``: the grid in grid order)."""
    if isinstance(settings, RandomSettings):
        return RandomSearch(space, settings)
    if isinstance(settings, GeneticSettings):
        return GeneticSearch(space, settings, Fitness(settings.fitness, rank, filters))
    return GridSearch(space, combinations)
