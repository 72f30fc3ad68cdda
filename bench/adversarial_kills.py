"""Crashes at random points, then resume: the result must equal the uninterrupted run's.

A run is stopped by a :class:`~negotiator.errors.HostFailure` raised at a random point — just
before or just after the k-th ledger posting commits, at the k-th model call, or before the
k-th progress report — with its checkpoints (SQLite) and its ledger in files. It is then resumed
by calling ``delegate`` again with the same run id, and compared with the same delegation run
once without interruption: the outcome (every payment, the winner, the settlement, the model
calls) and every balance of the books must be identical.

A few runs are also killed for real (``SIGKILL`` of a ``negotiator demo`` process at a random
moment) and resumed with ``negotiator resume``; see :func:`process_kills`.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from adversarial_runs import run_setup  # type: ignore[import-not-found]

from negotiator import DeterministicClient, Ledger, SimulatedExecutor, demo_setup
from negotiator.delegation.ledger import Posting
from negotiator.errors import HostFailure
from negotiator.llm.protocol import ModelResult, StructuredCall, TextCall
from negotiator.money import Money

__all__ = ["kills", "process_kills"]


class _Kill(HostFailure):
    """The simulated death of the host."""


class _CrashingLedger(Ledger):
    """A ledger whose k-th posting kills the host, before or after it commits."""

    def __init__(self, path: Path, at: int, after_commit: bool) -> None:
        super().__init__(path)
        self.at, self.after_commit, self.count = at, after_commit, 0

    def _tick(self, commit: Any) -> Any:
        self.count += 1
        if self.count == self.at and not self.after_commit:
            raise _Kill(f"killed before posting {self.count}")
        result = commit()
        if self.count == self.at:
            raise _Kill(f"killed after posting {self.count}")
        return result

    def post(self, posting: Posting) -> bool:
        """Post, unless this is where the host dies."""
        return bool(self._tick(lambda: super(_CrashingLedger, self).post(posting)))

    def transfer_up_to(
        self, key: str, source: str, target: str, cap: Money, reason: str
    ) -> Decimal:
        """Charge, unless this is where the host dies."""
        parent = super()
        return Decimal(self._tick(lambda: parent.transfer_up_to(key, source, target, cap, reason)))


class _CrashingClient:
    """The deterministic client, dying at its k-th call."""

    def __init__(self, at: int) -> None:
        self.inner, self.at, self.count = DeterministicClient(), at, 0

    def _tick(self) -> None:
        self.count += 1
        if self.count == self.at:
            raise _Kill(f"killed at model call {self.count}")

    async def structured(self, call: StructuredCall[Any]) -> ModelResult[Any]:
        """The deterministic answer, unless the host dies here."""
        self._tick()
        return await self.inner.structured(call)

    async def text(self, call: TextCall) -> ModelResult[str]:
        """The deterministic text, unless the host dies here."""
        self._tick()
        return await self.inner.text(call)


def _snapshot(ledger: Ledger, outcome: Any) -> str:
    books = {c: {a: str(b) for a, b in ledger.balances(c).items()} for c in ledger.currencies()}
    keys = sorted(p.key for p in ledger.postings())
    return json.dumps([outcome.model_dump(mode="json"), books, keys], sort_keys=True)


def _reference(tmp: Path, scenario: str) -> str:
    """The uninterrupted run of ``scenario`` (its run id is the one every kill reuses)."""
    with Ledger(tmp / f"clean-{scenario}.sqlite") as clean:
        out = run_setup(demo_setup(scenario), clean, f"kill-{scenario}", runs_dir=tmp / "clean")
        return _snapshot(clean, out)


def _one(tmp: Path, rng: random.Random, i: int, expected: dict[str, str]) -> tuple[bool, str]:
    scenario = rng.choice(sorted(expected))
    setup = demo_setup(scenario)
    run_id = f"kill-{scenario}"
    where = rng.choice(["before_posting", "after_posting", "model_call", "report"])
    at = rng.randint(1, 14 if where.endswith("posting") else 8)
    books, runs = tmp / f"killed-{i}.sqlite", tmp / f"killed-{i}"
    collaborators: dict[str, Any] = {"client": DeterministicClient()}
    if where == "model_call":
        collaborators["client"] = _CrashingClient(at)
    if where == "report":
        collaborators["executor"] = SimulatedExecutor(setup.script, 7, crash_after=at % 5)
    crashing = where.endswith("posting")
    first = _CrashingLedger(books, at, where == "after_posting") if crashing else Ledger(books)
    try:
        run_setup(setup, first, run_id, runs_dir=runs, **collaborators)
        killed = False
    except HostFailure:
        killed = True
    finally:
        first.close()
    with Ledger(books) as ledger:
        resumed = run_setup(setup, ledger, run_id, runs_dir=runs)
        got = _snapshot(ledger, resumed)
    return killed, "" if got == expected[scenario] else f"{where}@{at} ({scenario})"


def kills(count: int, tmp: Path, seed: int = 0) -> dict[str, Any]:
    """``count`` random crashes with resume; count the resumes that differ."""
    rng = random.Random(seed)
    expected = {s: _reference(tmp, s) for s in ("success", "breach", "cancel")}
    figures: dict[str, Any] = {"runs": count, "killed": 0, "resume_differs": 0}
    for i in range(count):
        killed, difference = _one(tmp, rng, i, expected)
        figures["killed"] += int(killed)
        if difference:
            figures["resume_differs"] += 1
            figures.setdefault("differences", []).append(difference)
    return figures


def process_kills(count: int, tmp: Path, seed: int = 0) -> dict[str, Any]:
    """``count`` ``negotiator demo`` processes killed (SIGKILL) at a random moment, resumed with
    ``negotiator resume``, compared with an uninterrupted run of the same scenario."""
    figures: dict[str, Any] = {"runs": count, "killed": 0, "resume_differs": 0}
    if count == 0:
        return figures
    rng = random.Random(seed)
    cli = [sys.executable, "-m", "negotiator"]
    reference = subprocess.run(
        [*cli, "demo", "--json", "--runs-dir", str(tmp / "ref"), "--run-id", "r"],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = _comparable(json.loads(reference.stdout))
    for i in range(count):
        runs = tmp / f"proc-{i}"
        args = [*cli, "demo", "--json", "--runs-dir", str(runs), "--run-id", "r"]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            figures["killed"] += 1
        proc.wait()
        resume = [*cli, "resume", "r", "--json", "--runs-dir", str(runs)]
        # killed before the run existed: nothing ran, so it is started again
        again = resume if (runs / "r" / "run.json").is_file() else args
        done = subprocess.run(again, capture_output=True, text=True, check=False)
        got = _comparable(json.loads(done.stdout)) if done.returncode == 0 else done.stderr[-300:]
        if got != expected:
            figures["resume_differs"] += 1
            figures.setdefault("differences", []).append(str(got)[:300])
    return figures


def _comparable(outcome: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outcome.items() if k not in ("transcript", "run_dir")}
