"""Mediation scenario files (JSON or TOML): parties, attributes, strategies, weights, GA settings.

Every problem is reported with its JSON path, e.g.
``$.counterparts[2].curves.price.exponent: required for kind 'power'``, and all problems at once.

Shape (JSON)::

    {
      "name": "demo",
      "deal_zone": 1.0,
      "seed": 7,
      "attributes": [{"name": "price", "bits": 4, "resolution": 100}],
      "anchor": {"name": "A", "weights": {"price": 1.0},
                 "curves": {"price": {"kind": "anxious", "best": 1100, "worst": 200,
                                      "gain_best": 15, "gain_worst": 0}}},
      "counterparts": [{"name": "B1", "weights": {...}, "curves": {...}}],
      "ga": {"population": 64, "generations": 60, "crossover_point": 2}
    }

Curve kinds: ``anxious``, ``cool-headed``, ``greedy`` (presets), ``power`` (needs
``exponent``) and ``piecewise`` (needs ``points``: ``[[value, gain], ...]``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from negotiator.errors import FieldError, InvalidInputError, UsageError, lookup
from negotiator.files import parse_json_text, read_text
from negotiator.mediation.curves import STRATEGY_EXPONENTS, Curve, PiecewiseCurve, PowerCurve
from negotiator.mediation.ga import GAConfig, Progress
from negotiator.mediation.mediator import MediationResult, mediate
from negotiator.mediation.space import MAX_TOTAL_BITS, Attribute, Party, ProposalSpace
from negotiator.wire.paths import json_path

__all__ = [
    "AttributeSpec",
    "CurveSpec",
    "GASpec",
    "MediationScenario",
    "MediationScenarioSpec",
    "PartySpec",
    "build_scenario",
    "bundled_scenario",
    "load_scenario",
    "parse_scenario",
]

WEIGHT_TOLERANCE = 1e-6

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class CurveSpec(BaseModel):
    """A gain curve for one attribute of one party."""

    model_config = _FROZEN

    kind: Literal["anxious", "cool-headed", "greedy", "power", "piecewise"] = Field(
        description="Strategy preset, a power curve with its exponent, or piecewise-linear."
    )
    best: float | None = Field(None, description="Most preferred value (not for piecewise).")
    worst: float | None = Field(None, description="Furthest value conceded to.")
    gain_best: float | None = Field(None, description="Gain at best.")
    gain_worst: float | None = Field(None, description="Gain at worst.")
    exponent: float | None = Field(None, description="Exponent (kind 'power' only).")
    points: list[tuple[float, float]] | None = Field(
        None, description="[[value, gain], ...] (kind 'piecewise' only)."
    )


class AttributeSpec(BaseModel):
    """One negotiated attribute."""

    model_config = _FROZEN

    name: str = Field(min_length=1, description="Unique attribute name.")
    bits: int = Field(4, ge=1, le=24, description="Chromosome bits for this attribute.")
    resolution: float | None = Field(None, gt=0, description="Round values to multiples of it.")


class PartySpec(BaseModel):
    """A negotiator: one curve and one weight per attribute (weights sum to 1)."""

    model_config = _FROZEN

    name: str = Field(min_length=1, description="Unique party name.")
    weights: dict[str, float] = Field(description="Attribute name -> weight (sum 1).")
    curves: dict[str, CurveSpec] = Field(description="Attribute name -> gain curve.")


class GASpec(BaseModel):
    """GA parameters (see :class:`negotiator.mediation.ga.GAConfig`)."""

    model_config = _FROZEN

    population: int = Field(64, ge=4, multiple_of=2, description="Chromosomes per generation.")
    generations: int = Field(60, ge=0, description="Generations after the first.")
    crossover_rate: float = Field(0.9, ge=0, le=1, description="Crossover probability.")
    crossover_point: int | None = Field(None, ge=1, description="Fixed cut point (bits).")
    mutation_rate: float | None = Field(None, ge=0, le=1, description="Per-bit flip rate.")
    tournament: int = Field(2, ge=1, description="Tournament size.")
    elite: int = Field(2, ge=0, description="Elite chromosomes kept.")
    stall_generations: int | None = Field(None, ge=1, description="Early-stop patience.")
    restart_after: int | None = Field(20, ge=1, description="Restart patience (None: never).")
    penalty: float = Field(2.0, ge=0, description="Fitness lost per unit beyond the zone.")
    polish: int = Field(30, ge=0, description="Proposals refined by the final local search.")


class MediationScenarioSpec(BaseModel):
    """A whole mediation scenario (1:1 with one counterpart, 1:N with several)."""

    model_config = _FROZEN

    name: str = Field("", description="Free label.")
    deal_zone: float = Field(ge=0, description="Largest utility difference of a proposal (D).")
    seed: int = Field(0, ge=0, description="Seed of the GA's random generator.")
    list_size: int = Field(24, ge=1, description="Ranked proposals to show.")
    attributes: list[AttributeSpec] = Field(min_length=1, description="Attributes, in order.")
    anchor: PartySpec = Field(description="Agent A, whose gains the chromosome encodes.")
    counterparts: list[PartySpec] = Field(min_length=1, description="Agents B1..BN.")
    ga: GASpec = Field(default_factory=GASpec, description="GA parameters.")


@dataclass(frozen=True)
class MediationScenario:
    """A validated scenario, ready to run."""

    spec: MediationScenarioSpec
    space: ProposalSpace
    ga: GAConfig

    @property
    def evaluations(self) -> int:
        """The GA's planned utility evaluations: population x generations x counterparts."""
        counterparts = max(len(self.spec.counterparts), 1)
        return self.ga.population * (self.ga.generations + 1) * counterparts

    def run(self, on_generation: Progress | None = None) -> MediationResult:
        """Mediate with a generator seeded from the scenario's ``seed``.

        Args:
            on_generation: the GA's progress callback (generations done, planned).
        """
        rng = np.random.default_rng(self.spec.seed)
        return mediate(
            self.space,
            self.spec.deal_zone,
            self.ga,
            rng,
            self.spec.list_size,
            on_generation=on_generation,
        )


def _key(path: str, name: str) -> str:
    """``path`` extended by the key ``name`` (quoted when it is not a plain identifier)."""
    return path + json_path([name])[1:]


def _need(spec: CurveSpec, path: str, names: tuple[str, ...]) -> list[FieldError]:
    return [
        FieldError(_key(path, n), f"required for kind {spec.kind!r}")
        for n in names
        if getattr(spec, n) is None
    ]


def _power(spec: CurveSpec, exponent: float) -> Curve:
    assert spec.best is not None and spec.worst is not None
    assert spec.gain_best is not None and spec.gain_worst is not None
    return PowerCurve(spec.best, spec.worst, spec.gain_best, spec.gain_worst, exponent)


_ENDS = ("best", "worst", "gain_best", "gain_worst")

#: curve kind -> (required fields, builder)
_BUILDERS: Mapping[str, tuple[tuple[str, ...], Callable[[CurveSpec], Curve]]] = {
    **{kind: (_ENDS, partial(_power, exponent=e)) for kind, e in STRATEGY_EXPONENTS.items()},
    "power": ((*_ENDS, "exponent"), lambda s: _power(s, float(s.exponent or 0))),
    "piecewise": (("points",), lambda s: PiecewiseCurve(tuple(s.points or ()))),
}


def _curve(spec: CurveSpec, path: str, errors: list[FieldError]) -> Curve | None:
    required, build = _BUILDERS[spec.kind]
    missing = _need(spec, path, required)
    if missing:
        errors.extend(missing)
        return None
    try:
        return build(spec)
    except UsageError as exc:
        errors.append(FieldError(path, str(exc)))
        return None


def _party(spec: PartySpec, path: str, names: list[str], errors: list[FieldError]) -> Party | None:
    before = len(errors)
    for field in ("weights", "curves"):
        given: dict[str, Any] = getattr(spec, field)
        errors.extend(
            FieldError(f"{path}.{field}", f"missing attribute {n!r}")
            for n in names
            if n not in given
        )
        errors.extend(
            FieldError(_key(f"{path}.{field}", k), f"unknown attribute; expected one of {names}")
            for k in given
            if k not in names
        )
    errors.extend(
        FieldError(_key(f"{path}.weights", k), f"{w} is below 0")
        for k, w in spec.weights.items()
        if w < 0
    )
    total = sum(spec.weights.values())
    if abs(total - 1) > WEIGHT_TOLERANCE:
        errors.append(FieldError(f"{path}.weights", f"weights sum to {total:g}, expected 1"))
    curves = [
        _curve(spec.curves[n], _key(f"{path}.curves", n), errors) if n in spec.curves else None
        for n in names
    ]
    if len(errors) > before:
        return None
    return Party(
        spec.name,
        tuple(c for c in curves if c is not None),
        tuple(spec.weights[n] for n in names),
    )


def _check_names(spec: MediationScenarioSpec, errors: list[FieldError]) -> None:
    seen: set[str] = set()
    for i, attr in enumerate(spec.attributes):
        if attr.name in seen:
            errors.append(FieldError(f"$.attributes[{i}].name", f"duplicate name {attr.name!r}"))
        seen.add(attr.name)
    parties = [spec.anchor.name]
    for i, party in enumerate(spec.counterparts):
        if party.name in parties:
            errors.append(FieldError(f"$.counterparts[{i}].name", f"duplicate {party.name!r}"))
        parties.append(party.name)
    bits = sum(a.bits for a in spec.attributes)
    if bits > MAX_TOTAL_BITS:
        errors.append(FieldError("$.attributes", f"{bits} bits in all, at most {MAX_TOTAL_BITS}"))
    point = spec.ga.crossover_point
    if point is not None and point >= bits:
        errors.append(FieldError("$.ga.crossover_point", f"{point} is not below {bits} bits"))
    if spec.ga.elite >= spec.ga.population:
        errors.append(FieldError("$.ga.elite", "must be below the population"))


def build_scenario(spec: MediationScenarioSpec, what: str = "scenario") -> MediationScenario:
    """Check the cross-field rules of ``spec`` and build the runnable :class:`MediationScenario`.

    Raises:
        InvalidInputError: every problem, each with its JSON path.
    """
    errors: list[FieldError] = []
    _check_names(spec, errors)
    names = list(dict.fromkeys(a.name for a in spec.attributes))  # duplicates reported above
    anchor = _party(spec.anchor, "$.anchor", names, errors)
    parties = [
        _party(p, f"$.counterparts[{i}]", names, errors) for i, p in enumerate(spec.counterparts)
    ]
    if errors or anchor is None:
        raise InvalidInputError(what, errors)
    attributes = [Attribute(a.name, a.bits, a.resolution) for a in spec.attributes]
    try:
        space = ProposalSpace(attributes, anchor, [p for p in parties if p is not None])
    except UsageError as exc:
        raise InvalidInputError.single(what, "$.attributes", str(exc)) from None
    return MediationScenario(spec, space, GAConfig(**spec.ga.model_dump()))


def parse_scenario(data: object, what: str = "scenario") -> MediationScenario:
    """Validate already-parsed data (a dict from JSON/TOML) into a :class:`MediationScenario`.

    Raises:
        InvalidInputError: every problem with its JSON path.

    Example:
        >>> parse_scenario({"deal_zone": 1})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        negotiator.errors.InvalidInputError: invalid scenario (3 error(s)):...
    """
    try:
        spec = MediationScenarioSpec.model_validate(data)
    except ValidationError as exc:
        errors = [FieldError(json_path(e["loc"]), e["msg"]) for e in exc.errors()]
        raise InvalidInputError(what, errors) from None
    return build_scenario(spec, what)


def _read_toml(text: str, what: str) -> object:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError.single(what, "$", f"not valid TOML: {exc}") from None
    except RecursionError:
        raise InvalidInputError.single(what, "$", "not valid TOML: nested too deeply") from None


#: file suffix -> parser of the file's text (``what`` names the file in errors)
_READERS: Mapping[str, Callable[[str, str], object]] = {
    ".json": parse_json_text,
    ".toml": _read_toml,
}


def load_scenario(path: str | Path) -> MediationScenario:
    """Read, validate and build a scenario file (``.json`` or ``.toml``).

    Raises:
        InvalidInputError: unreadable file, bad syntax (with line and column) or bad content
            (with JSON paths); the error's ``what`` is the file name.

    Example:
        >>> from negotiator.mediation.scenario import load_scenario
        >>> load_scenario("missing.json")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        negotiator.errors.InvalidInputError: invalid missing.json (1 error(s)):...
    """
    file = Path(path)
    what = str(path)
    reader = _READERS.get(file.suffix.lower())
    if reader is None:
        raise InvalidInputError.single(
            what, "$", f"expected a .json or .toml file, got {file.suffix or 'no suffix'!r}"
        )
    data = reader(read_text(file), what)
    return parse_scenario(data, what)


def bundled_scenario(name: str) -> Path:
    """Path of a scenario shipped with the package (e.g. ``"seed002"``).

    Raises:
        UnknownKeyError: no such bundled scenario (the message lists them).

    Example:
        >>> bundled_scenario("seed002").name
        'seed002.json'
    """
    folder = Path(str(resources.files("negotiator.mediation").joinpath("scenarios")))
    shipped = {p.stem: p for p in sorted(folder.glob("*.json"))}
    return lookup(shipped, name, "bundled scenario")
