"""The fast part of the adversarial suite (``bench/adversarial.py --quick`` without the slow
areas): every goal figure is zero. The full counts run in CI as ``python bench/adversarial.py``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _bench(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


def _zero(figures: dict[str, Any], *names: str) -> None:
    assert {n: figures[n] for n in names} == dict.fromkeys(names, 0), figures


def test_fuzzed_wire_objects_of_every_kind() -> None:
    figures = _bench("adversarial_fuzz").fuzz_wire(30, seed=1)
    assert figures["samples"] == 300
    _zero(figures, "tracebacks", "invalid_accepted")


@pytest.mark.slow
def test_hostile_models_bidders_and_reports_change_nothing() -> None:
    figures = _bench("adversarial_hostile").hostile()
    assert figures["attacks"] >= 30
    _zero(figures, "award_or_payment_changed", "aborted", "negative_wallets", "left_in_escrow")


@pytest.mark.slow
def test_random_delegations_keep_the_books() -> None:
    figures = _bench("adversarial_runs").random_delegations(25, seed=3)
    _zero(figures, "negative_wallets", "left_in_escrow", "double_settlements", "aborted")


@pytest.mark.slow
def test_crashes_at_random_points_resume_to_the_same_result(tmp_path: Path) -> None:
    figures = _bench("adversarial_kills").kills(4, tmp_path, seed=5)
    _zero(figures, "resume_differs")


@pytest.mark.slow
def test_shared_books_never_go_negative(tmp_path: Path) -> None:
    figures = _bench("adversarial_runs").shared_books(tmp_path, threads=4, tasks=6, processes=0)
    _zero(figures, "negative_wallets", "left_in_escrow", "aborted", "unbalanced")
