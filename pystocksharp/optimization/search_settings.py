"""Settings of the optimizer's search strategies (stored in ``run.json``) and what a search reports.

Pydantic models only, so :mod:`.checkpoint` can hold them in :class:`~.checkpoint.RunSpec`;
the searches themselves are in :mod:`.search`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pystocksharp.expressions import Expression, ExpressionError


class GridSettings(BaseModel):
    """Every combination of the grid, in grid order."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["grid"] = "grid"


class RandomSettings(BaseModel):
    """``samples`` distinct combinations drawn uniformly from the grid (all of them if it has fewer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["random"] = "random"
    samples: int = Field(default=100, ge=1, description="combinations to draw")
    seed: int = Field(default=0, description="random seed: the same seed draws the same combinations")


class GeneticSettings(BaseModel):
    """A genetic algorithm over the grid (see the module doc). Probabilities are in [0, 1]."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["genetic"] = "genetic"
    population: int = Field(default=50, ge=2, description="candidates per generation")
    generations: int = Field(default=30, ge=1, description="most generations, the first included")
    mutation: float = Field(default=0.1, ge=0.0, le=1.0, description="probability that a gene (parameter) of a child mutates")
    crossover: float = Field(default=0.8, ge=0.0, le=1.0, description="probability that a child mixes two parents (else it copies one)")
    elite: int = Field(default=2, ge=0, description="best candidates copied unchanged into the next generation")
    patience: int = Field(default=10, ge=0, description="stop after this many generations without a better best (0: never)")
    tournament: int = Field(default=3, ge=1, description="candidates drawn per tournament; the fittest becomes a parent")
    seed: int = Field(default=0, description="random seed: the same seed and results breed the same generations")
    fitness: str | None = Field(
        default=None,
        description="what is maximized: an expression over result columns, e.g. 'net_profit / (abs(max_drawdown) + 1)'; "
        "None: the first ranking criterion (negated when ascending)",
    )  # fmt: skip

    @field_validator("fitness")
    @classmethod
    def _parses(cls, text: str | None) -> str | None:
        if text is None:
            return None
        try:
            Expression(text)
        except ExpressionError as exc:
            raise ValueError(str(exc)) from None
        return text.strip()

    @model_validator(mode="after")
    def _fits_population(self) -> GeneticSettings:
        if self.elite >= self.population:
            raise ValueError(f"elite ({self.elite}) must be smaller than population ({self.population})")
        if self.tournament > self.population:
            raise ValueError(f"tournament ({self.tournament}) must not exceed population ({self.population})")
        return self


SearchSettings = Annotated[GridSettings | RandomSettings | GeneticSettings, Field(discriminator="kind")]
SETTINGS: dict[str, type[BaseModel]] = {"grid": GridSettings, "random": RandomSettings, "genetic": GeneticSettings}


class SearchReport(BaseModel):
    """What a search did (``out/search.json``, rewritten at the end of every session of a run)."""

    schema_version: int = 1
    kind: str = Field(description="'grid', 'random' or 'genetic'")
    evaluations: int = Field(description="distinct combinations evaluated, failures and resumed ones included")
    total: int = Field(description="combinations in the grid after constraints")
    generations: int | None = Field(default=None, description="genetic: generations evaluated")
    best_fitness: float | None = Field(default=None, description="genetic: the best fitness found")
    best_parameters: dict[str, Any] | None = Field(
        default=None, description="genetic: the combination with that fitness (the ranking still follows --rank)"
    )
    finished: bool = Field(description="False when the run was interrupted before the search ended")
    stop_reason: str = Field(description="why the search ended, e.g. 'no better best for 5 generations'")


