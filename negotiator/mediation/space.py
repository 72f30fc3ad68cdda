"""Seed 002's proposal space: the anchor agent's gain levels per attribute, times counterparts.

A chromosome holds, for every attribute, ``bits`` binary digits (most significant first) that
encode one of ``2 ** bits`` evenly spaced gain levels of the *anchor* agent (agent A of the seed)
on that attribute, from its lowest to its highest gain (step 1). The level's gain is turned into
an attribute value through the anchor's inverse curve (step 2), optionally rounded to the
attribute's ``resolution`` (seed 002 uses discrete values; the anchor's gain is then re-read at the
rounded value so both sides are scored at the same value), and the value is fed into each
counterpart's curve (step 3, for every attribute: step 4). A value outside a counterpart's range
has no corresponding gain (step 5): that (chromosome, counterpart) pair is not a proposal, and a
counterpart for which some attribute has no level at all inside its range is skipped up front.
Utilities are the weighted sums of seed 002's ``f(G, W) = Σ G_i W_i`` (step 6).

Because every attribute's level maps to a value independently, the mediator precomputes one
small table per attribute (``2 ** bits`` entries) and scores a whole population at once with
numpy gathers: no Python loop per chromosome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import UsageError
from negotiator.mediation.curves import Curve

__all__ = ["Attribute", "Evaluation", "Party", "Proposal", "ProposalSpace", "Skip"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_TOTAL_BITS = 62
WEIGHT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Attribute:
    """One negotiated attribute.

    Args:
        name: unique name.
        bits: chromosome bits for this attribute (``2 ** bits`` gain levels of the anchor).
        resolution: round attribute values to multiples of this (``None``: continuous).
    """

    name: str
    bits: int = 4
    resolution: float | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.bits <= 24:
            raise UsageError(f"attribute {self.name!r}: bits must be 1..24, got {self.bits}")
        if self.resolution is not None and not self.resolution > 0:
            raise UsageError(f"attribute {self.name!r}: resolution must be > 0")


@dataclass(frozen=True)
class Party:
    """A negotiator as the mediator sees it: one curve and one weight per attribute.

    Args:
        name: unique name.
        curves: one gain curve per attribute, in the space's attribute order.
        weights: one weight per attribute; they must sum to 1 (seed 002, Σ W_i = 1).
    """

    name: str
    curves: tuple[Curve, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.curves) != len(self.weights):
            raise UsageError(f"party {self.name!r}: one weight per curve expected")
        if any(w < 0 for w in self.weights) or abs(sum(self.weights) - 1) > WEIGHT_TOLERANCE:
            raise UsageError(f"party {self.name!r}: weights must be >= 0 and sum to 1")

    @property
    def floor_utility(self) -> float:
        """Utility at the worst end of every range (the default disagreement point)."""
        return sum(w * c.gain_range[0] for w, c in zip(self.weights, self.curves, strict=True))


@dataclass(frozen=True)
class Skip:
    """A counterpart left out by step 5, with the attribute and the reason."""

    counterpart: str
    attribute: str
    reason: str


@dataclass(frozen=True)
class Evaluation:
    """Scores of ``P`` chromosomes against ``N`` active counterparts.

    ``anchor`` has shape ``(P,)``; ``counterpart`` and ``valid`` have shape ``(N, P)``;
    ``counterpart`` is 0 where ``valid`` is false.
    """

    anchor: FloatArray
    counterpart: FloatArray
    valid: BoolArray


class Proposal(BaseModel):
    """One proposal of the mediator: attribute values for the anchor and one counterpart."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    counterpart: str = Field(description="Name of the counterpart the proposal is made to.")
    values: dict[str, float] = Field(description="Attribute name -> proposed value.")
    anchor_gains: dict[str, float] = Field(description="Attribute -> the anchor's gain.")
    counterpart_gains: dict[str, float] = Field(description="Attribute -> the counterpart's gain.")
    anchor_utility: float = Field(description="U_A = Σ G_Ai·W_Ai (seed 002 step 6).")
    counterpart_utility: float = Field(description="U_B = Σ G_Bi·W_Bi.")
    difference: float = Field(description="|U_A − U_B| (step 7).")
    total: float = Field(description="U_A + U_B (step 9's criterion).")
    chromosome: str = Field(description="The chromosome's bits, one group per attribute.")


def _level_values(attr: Attribute, curve: Curve) -> FloatArray:
    """Attribute value of each of the anchor's gain levels (steps 1-2, with rounding)."""
    low_g, high_g = curve.gain_range
    levels = np.arange(2**attr.bits, dtype=np.float64) / (2**attr.bits - 1)
    x = curve.value(low_g + (high_g - low_g) * levels)
    if attr.resolution is None:
        return x
    low, high = curve.value_range
    grid_low = np.ceil(low / attr.resolution - 1e-9) * attr.resolution
    grid_high = np.floor(high / attr.resolution + 1e-9) * attr.resolution
    if grid_low > grid_high:
        raise UsageError(
            f"attribute {attr.name!r}: no multiple of {attr.resolution} in the anchor's range"
        )
    return np.clip(np.round(x / attr.resolution) * attr.resolution, grid_low, grid_high)


class ProposalSpace:
    """Tables of gains per attribute level for the anchor and every counterpart.

    Args:
        attributes: the negotiated attributes (order = chromosome order).
        anchor: agent A, whose gain levels the chromosome encodes.
        counterparts: agents B1..BN in registration order (1:1 when there is one).

    Raises:
        UsageError: mismatched curve counts, duplicate names, more than 62 bits in all.

    Example:
        >>> from negotiator.mediation.curves import PowerCurve
        >>> a = Party("A", (PowerCurve(0.0, 10.0, 10.0, 0.0),), (1.0,))
        >>> b = Party("B", (PowerCurve(10.0, 0.0, 10.0, 0.0),), (1.0,))
        >>> ProposalSpace([Attribute("x", bits=2)], a, [b]).size
        4
    """

    def __init__(
        self, attributes: Sequence[Attribute], anchor: Party, counterparts: Sequence[Party]
    ) -> None:
        self.attributes = tuple(attributes)
        self._check(anchor, counterparts)
        self.anchor = anchor
        self.bits = tuple(a.bits for a in self.attributes)
        self.values = [
            _level_values(a, c) for a, c in zip(self.attributes, anchor.curves, strict=True)
        ]
        self.anchor_gains = [c.gain(x) for c, x in zip(anchor.curves, self.values, strict=True)]
        active: list[Party] = []
        skipped: list[Skip] = []
        for party in counterparts:
            skip = self._skip_reason(party)
            if skip is None:
                active.append(party)
            else:
                skipped.append(skip)
        self.counterparts = tuple(active)
        self.skipped = tuple(skipped)
        self._build_counterpart_tables()

    def _check(self, anchor: Party, counterparts: Sequence[Party]) -> None:
        n = len(self.attributes)
        if n == 0:
            raise UsageError("the space needs at least one attribute")
        if len({a.name for a in self.attributes}) != n:
            raise UsageError("attribute names must be unique")
        if sum(a.bits for a in self.attributes) > MAX_TOTAL_BITS:
            raise UsageError(f"at most {MAX_TOTAL_BITS} chromosome bits in all")
        names = [anchor.name, *(p.name for p in counterparts)]
        if len(set(names)) != len(names):
            raise UsageError("party names must be unique")
        for party in (anchor, *counterparts):
            if len(party.curves) != n:
                raise UsageError(f"party {party.name!r}: expected {n} curves")

    def _skip_reason(self, party: Party) -> Skip | None:
        for attr, mine, theirs, xs in zip(
            self.attributes, self.anchor.curves, party.curves, self.values, strict=True
        ):
            (a_lo, a_hi), (b_lo, b_hi) = mine.value_range, theirs.value_range
            if a_hi < b_lo or b_hi < a_lo:
                reason = f"ranges do not overlap: [{a_lo:g}, {a_hi:g}] vs [{b_lo:g}, {b_hi:g}]"
                return Skip(party.name, attr.name, reason)
            if not np.isfinite(theirs.gain(xs)).any():
                reason = f"no gain level of {self.anchor.name} maps into [{b_lo:g}, {b_hi:g}]"
                return Skip(party.name, attr.name, reason)
        return None

    def _build_counterpart_tables(self) -> None:
        self.counterpart_gains: list[FloatArray] = []
        self.counterpart_valid: list[BoolArray] = []
        for i, xs in enumerate(self.values):
            rows = [p.curves[i].gain(xs) for p in self.counterparts]
            table = np.array(rows, dtype=np.float64).reshape(len(self.counterparts), xs.size)
            valid = np.isfinite(table)
            self.counterpart_valid.append(valid)
            self.counterpart_gains.append(np.where(valid, table, 0.0))
        self.anchor_weights = np.asarray(self.anchor.weights, dtype=np.float64)
        self.counterpart_weights = np.array(
            [p.weights for p in self.counterparts], dtype=np.float64
        ).reshape(len(self.counterparts), len(self.attributes))

    @property
    def total_bits(self) -> int:
        """Chromosome length."""
        return sum(self.bits)

    @property
    def size(self) -> int:
        """Number of (chromosome, active counterpart) outcomes."""
        return (1 << self.total_bits) * len(self.counterparts)

    def decode(self, codes: IntArray) -> IntArray:
        """Chromosome integers (MSB = first attribute's first bit) -> levels, shape ``(P, n)``."""
        codes = np.asarray(codes, dtype=np.int64)
        out = np.empty((codes.size, len(self.bits)), dtype=np.int64)
        shift = self.total_bits
        for i, b in enumerate(self.bits):
            shift -= b
            out[:, i] = (codes >> shift) & ((1 << b) - 1)
        return out

    def encode(self, levels: IntArray) -> IntArray:
        """Levels, shape ``(P, n)`` -> chromosome integers (the inverse of :meth:`decode`)."""
        out = np.zeros(levels.shape[0], dtype=np.int64)
        for i, b in enumerate(self.bits):
            out = (out << b) | levels[:, i]
        return out

    def evaluate(self, levels: IntArray) -> Evaluation:
        """Score every row of ``levels`` against every active counterpart (steps 2-6)."""
        p, n = levels.shape[0], len(self.counterparts)
        ua = np.zeros(p)
        ub = np.zeros((n, p))
        valid = np.ones((n, p), dtype=np.bool_)
        for i in range(len(self.attributes)):
            col = levels[:, i]
            ua += self.anchor_weights[i] * self.anchor_gains[i][col]
            ub += self.counterpart_weights[:, i, None] * self.counterpart_gains[i][:, col]
            valid &= self.counterpart_valid[i][:, col]
        return Evaluation(ua, np.where(valid, ub, 0.0), valid)

    def canonical(self, codes: IntArray) -> IntArray:
        """Map codes whose levels round to the same values onto one code (for de-duplication)."""
        levels = self.decode(codes)
        out = np.zeros(levels.shape[0], dtype=np.int64)
        for i, xs in enumerate(self.values):
            _, first, inverse = np.unique(xs, return_index=True, return_inverse=True)
            out = (out << self.bits[i]) | first[inverse][levels[:, i]]
        return out

    def proposal(self, code: int, counterpart: int) -> Proposal:
        """Build the :class:`Proposal` of one chromosome for one active counterpart."""
        levels = self.decode(np.array([code], dtype=np.int64))
        scores = self.evaluate(levels)
        ua = float(scores.anchor[0])
        ub = float(scores.counterpart[counterpart, 0])
        values: dict[str, float] = {}
        ga: dict[str, float] = {}
        gb: dict[str, float] = {}
        for i, attr in enumerate(self.attributes):
            lv = int(levels[0, i])
            values[attr.name] = float(self.values[i][lv])
            ga[attr.name] = float(self.anchor_gains[i][lv])
            gb[attr.name] = float(self.counterpart_gains[i][counterpart, lv])
        bits = " ".join(
            format(int(lv), f"0{b}b") for lv, b in zip(levels[0], self.bits, strict=True)
        )
        return Proposal(
            counterpart=self.counterparts[counterpart].name,
            values=values,
            anchor_gains=ga,
            counterpart_gains=gb,
            anchor_utility=ua,
            counterpart_utility=ub,
            difference=abs(ua - ub),
            total=ua + ub,
            chromosome=bits,
        )
