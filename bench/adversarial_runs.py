"""Whole delegations under attack: hostile models, bidders and reports; random funding; crashes
with resume; concurrent runs on shared books. Every run goes through the public ``delegate``.

Checked after every run, on the ledger it posted to:

* **no negative wallet** — no account outside ``external:*`` below zero;
* **nothing left in escrow** — the run's ``escrow:<run>`` and ``bond:<run>:*`` accounts are
  zero once it is terminal (completed, breached, cancelled or failed);
* **aborted** — ``delegate`` raised, or the run did not end in a terminal phase.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from negotiator import (
    DelegationOutcome,
    DeterministicClient,
    Ledger,
    SimulatedExecutor,
    adelegate,
    delegate,
    demo_setup,
)
from negotiator.delegation.clock import FixedClock
from negotiator.delegation.contracting import ContractPolicy
from negotiator.delegation.negotiation import NegotiationSettings
from negotiator.delegation.request import DelegationSetup
from negotiator.money import Money

__all__ = [
    "TERMINAL",
    "Books",
    "check_books",
    "money_view",
    "random_delegations",
    "random_setup",
    "run_setup",
    "shared_books",
]

TERMINAL = frozenset({"completed", "breached", "cancelled", "failed"})
DELEGATOR = "did:web:acme-analytics.example"


def usdc(amount: str | Decimal) -> Money:
    """``amount`` USDC."""
    return Money(amount=Decimal(amount), currency="USDC")


def run_setup(
    setup: DelegationSetup,
    ledger: Ledger,
    run_id: str,
    *,
    seed: int = 7,
    runs_dir: Path | None = None,
    funding: Mapping[str, Money] | None = None,
    **collaborators: Any,
) -> DelegationOutcome:
    """One delegation of ``setup`` on ``ledger`` (collaborators: client, executor, ...)."""
    executor = collaborators.pop("executor", None) or SimulatedExecutor(setup.script, seed)
    return delegate(
        setup.request,
        bidders=setup.bidders,
        executor=executor,
        clock=FixedClock(setup.start),
        runs_dir=runs_dir,
        funding=setup.funding if funding is None else funding,
        run_id=run_id,
        ledger=ledger,
        seed=seed,
        **collaborators,
    )


@dataclass
class Books:
    """What the checks found over many runs."""

    runs: int = 0
    negative_wallets: int = 0
    left_in_escrow: int = 0
    aborted: int = 0
    double_settlements: int = 0
    unbalanced: int = 0

    def figures(self) -> dict[str, int]:
        """The counts as a JSON-ready mapping."""
        return dict(vars(self))


def check_books(
    ledger: Ledger, run_id: str, outcome: DelegationOutcome | None, books: Books
) -> None:
    """Count this run's violations (see the module docstring) into ``books``."""
    books.runs += 1
    for currency in ledger.currencies():
        books.negative_wallets += sum(
            1
            for account, b in ledger.balances(currency).items()
            if b < 0 and not account.startswith("external:")
        )
    balances = ledger.balances("USDC")
    books.unbalanced += 0 if ledger.is_balanced() else 1
    if outcome is None or outcome.outcome not in TERMINAL:
        books.aborted += 1
        return
    held = [
        b
        for account, b in balances.items()
        if account == f"escrow:{run_id}" or account.startswith(f"bond:{run_id}:")
    ]
    books.left_in_escrow += sum(1 for b in held if b != 0)


def money_view(outcome: DelegationOutcome) -> tuple[Any, ...]:
    """The award and the money that follows from it (losing bidders' own bond moves left out)."""
    winner = outcome.winner.model_dump(mode="json") if outcome.winner else None
    who = winner["bidder_id"] if winner else None
    lines = []
    for p in outcome.payments:
        if p.reason in ("bond_escrow", "bond_return") and who not in (p.from_account, p.to_account):
            continue
        lines.append(p.model_dump(mode="json"))
    return (outcome.outcome, winner and (winner["bidder_id"], winner["price"]), lines)


def random_setup(rng: random.Random) -> DelegationSetup:
    """A demo delegation with a random script, terms, negotiation after the award (about a
    third of the runs) and (often short, sometimes wrong-currency) funding."""
    scenario = rng.choice(["success", "breach", "cancel", "success", "breach", "negotiate"])
    s = demo_setup(scenario)
    script = s.script
    if rng.random() < 0.2:
        script = script.model_copy(update={"silent_from": rng.randint(1, 4)})
    policy = ContractPolicy(
        penalty_fraction=rng.choice([0.0, 0.25, 0.5, 1.0]),
        bond_forfeited=rng.random() < 0.7,
        charge_replacement_difference=rng.random() < 0.8,
        max_missed_reports=rng.randint(1, 3),
    )
    negotiation = s.request.negotiation
    if rng.random() < 0.25:
        mechanism = rng.choice(["bilateral", "mediated"])
        negotiation = NegotiationSettings(mechanism=mechanism, top_k=rng.randint(1, 3))
    update = {"policy": policy, "max_rounds": rng.choice([0, 1, 3]), "negotiation": negotiation}
    request = s.request.model_copy(update=update)
    funding: dict[str, Money] = {}
    for party in [DELEGATOR, *(b.bidder_id for b in s.bidders)]:
        if rng.random() < 0.85:
            top = 12 if party == DELEGATOR else 2
            amount = Decimal(rng.randint(0, top * 100)) / 100
            currency = "EUR" if rng.random() < 0.05 else "USDC"  # now and then the wrong one
            if amount > 0:
                funding[party] = Money(amount=amount, currency=currency)
    return s.model_copy(update={"request": request, "script": script, "funding": funding})


def random_delegations(count: int, seed: int = 0, batch: int = 20) -> dict[str, int]:
    """``count`` random delegations, ``batch`` per shared ledger; every 10th is run twice."""
    rng = random.Random(seed)
    books = Books()
    ledger = Ledger(":memory:")
    for i in range(count):
        if i % batch == 0:
            ledger.close()
            ledger = Ledger(":memory:")
        setup, run_id = random_setup(rng), f"rand-{i}"
        outcome = _attempt(setup, ledger, run_id, i)
        check_books(ledger, run_id, outcome, books)
        if outcome is not None and i % 10 == 0:
            before = len(ledger.postings())
            again = _attempt(setup, ledger, run_id, i)
            same = again is not None and money_view(again) == money_view(outcome)
            books.double_settlements += 0 if same and len(ledger.postings()) == before else 1
    ledger.close()
    return books.figures()


def _attempt(
    setup: DelegationSetup, ledger: Ledger, run_id: str, seed: int
) -> DelegationOutcome | None:
    return _guarded(lambda: run_setup(setup, ledger, run_id, seed=seed))


def _guarded(run: Callable[[], DelegationOutcome]) -> DelegationOutcome | None:
    try:
        return run()
    except Exception:
        return None


def _scarce_setup() -> DelegationSetup:
    """The demo with no per-run funding (the shared wallets are funded once, scarcely)."""
    return demo_setup("success").model_copy(update={"funding": {}})


def _fund_once(ledger: Ledger, delegator: str, bidders: list[str]) -> None:
    ledger.transfer(
        "scarce/fund/delegator", "external:funding", delegator, usdc("13.00"), "funding"
    )
    for b in bidders:
        ledger.transfer(f"scarce/fund/{b}", "external:funding", b, usdc("1.50"), "funding")


def shared_books(path: Path, *, threads: int, tasks: int, processes: int) -> dict[str, int]:
    """Runs sharing one ledger file, funded once for about two runs: as asyncio tasks on one
    connection, as threads and as processes with a connection each."""
    import multiprocessing  # noqa: PLC0415 (only this area needs it)
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    setup = _scarce_setup()
    books = Books()
    results: list[tuple[str, str, DelegationOutcome | None]] = []
    groups = (
        ("proc", processes, "processes"),
        ("task", tasks, "asyncio"),
        ("thr", threads, "threads"),
    )
    for prefix, n, how in groups:
        if n == 0:
            continue
        file = path / f"{how}.sqlite"
        with Ledger(file) as ledger:
            _fund_once(ledger, DELEGATOR, [b.bidder_id for b in setup.bidders])
        run_ids = [f"{prefix}-{i}" for i in range(n)]
        if how == "processes":
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(n) as pool:
                dumps = pool.starmap(_one_in_process, [(str(file), r) for r in run_ids])
            outs = [None if d is None else SimpleNamespace(outcome=d) for d in dumps]
        elif how == "threads":
            with ThreadPoolExecutor(n) as pool:
                outs = list(pool.map(lambda r, f=file: _own_connection(f, r), run_ids))
        else:
            outs = _as_tasks(file, run_ids)
        results += [(str(file), r, o) for r, o in zip(run_ids, outs, strict=True)]
    for file, run_id, outcome in results:
        with Ledger(file) as ledger:
            check_books(ledger, run_id, outcome, books)
    return books.figures()


def _own_connection(file: Path, run_id: str) -> DelegationOutcome | None:
    with Ledger(file) as ledger:
        return _guarded(lambda: run_setup(_scarce_setup(), ledger, run_id, funding={}))


def _one_in_process(file: str, run_id: str) -> str | None:
    """One run in a child process; its outcome's name (what the checks read)."""
    with Ledger(file) as ledger:
        out = _guarded(lambda: run_setup(_scarce_setup(), ledger, run_id, funding={}))
    return None if out is None else str(out.outcome)


def _as_tasks(file: Path, run_ids: list[str]) -> list[DelegationOutcome | None]:
    setup = _scarce_setup()

    async def one(ledger: Ledger, run_id: str) -> DelegationOutcome | None:
        try:
            return await adelegate(
                setup.request,
                bidders=setup.bidders,
                executor=SimulatedExecutor(setup.script, 7),
                clock=FixedClock(setup.start),
                runs_dir=None,
                funding={},
                run_id=run_id,
                ledger=ledger,
                seed=7,
                client=DeterministicClient(),
            )
        except Exception:
            return None

    async def every() -> list[DelegationOutcome | None]:
        with Ledger(file) as ledger:
            return list(await asyncio.gather(*(one(ledger, r) for r in run_ids)))

    return asyncio.run(every())
