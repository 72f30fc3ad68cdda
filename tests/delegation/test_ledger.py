from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator import errors
from negotiator.delegation import ledger as ledger_module
from negotiator.delegation.ledger import (
    Books,
    Entry,
    InsufficientFundsError,
    Ledger,
    LedgerConflictError,
    Posting,
)
from negotiator.errors import InvalidInputError
from negotiator.money import Money


def usdc(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


def test_the_sqlite_ledger_is_books_and_raises_the_core_funds_error() -> None:
    assert ledger_module.InsufficientFundsError is errors.InsufficientFundsError
    with Ledger(":memory:") as ledger:
        assert isinstance(ledger, Books)
        with pytest.raises(errors.InsufficientFundsError, match="a holds 0 USDC"):
            ledger.transfer("k", "a", "b", usdc("1"), "pay")


def test_transfer_moves_money_and_balances() -> None:
    with Ledger(":memory:") as ledger:
        assert ledger.transfer("k1", "external:a", "b", usdc("5.25"), "payment")
        assert ledger.balance("external:a", "USDC") == Decimal("-5.25")
        assert ledger.balance("b", "USDC") == Decimal("5.25")
        assert ledger.balance("nobody", "USDC") == 0
        assert ledger.is_balanced()
        [t] = ledger.transfers()
        assert (t.source, t.target, t.amount.amount, t.reason) == (
            "external:a",
            "b",
            Decimal("5.25"),
            "payment",
        )


def test_same_key_same_content_pays_once() -> None:
    with Ledger(":memory:") as ledger:
        ledger.transfer("fund", "external:funding", "escrow", usdc("5"), "funding")
        assert ledger.transfer("settle/1", "escrow", "c", usdc("5"), "payment")
        assert not ledger.transfer("settle/1", "escrow", "c", usdc("5"), "payment")
        assert ledger.balance("c", "USDC") == Decimal(5)
        assert len(ledger.postings()) == 2


def test_same_key_other_content_is_refused() -> None:
    with Ledger(":memory:") as ledger:
        ledger.transfer("k", "external:a", "b", usdc("5"), "payment")
        with pytest.raises(LedgerConflictError, match="'k' was already used"):
            ledger.transfer("k", "external:a", "b", usdc("6"), "payment")
        assert ledger.balance("b", "USDC") == Decimal(5)


def test_unbalanced_posting_is_rejected_with_paths() -> None:
    bad = Posting("k", "x", "USDC", (Entry("a", Decimal("-5")), Entry("b", Decimal("4"))))
    with Ledger(":memory:") as ledger:
        with pytest.raises(InvalidInputError) as err:
            ledger.post(bad)
        assert [e.path for e in err.value.errors] == ["$.entries"]
        assert "sum to -1" in str(err.value)
        assert ledger.postings() == []


def test_zero_and_overprecise_amounts_are_rejected() -> None:
    bad = Posting(
        "k",
        "x",
        "USDC",
        (
            Entry("a", Decimal("0")),
            Entry("b", Decimal("0.0000001")),
            Entry("c", Decimal("-0.0000001")),
        ),
    )
    with Ledger(":memory:") as ledger, pytest.raises(InvalidInputError) as err:
        ledger.post(bad)
    paths = [e.path for e in err.value.errors]
    assert paths == ["$.entries[0].amount", "$.entries[1].amount", "$.entries[2].amount"]


def test_persisted_in_sqlite_as_exact_text(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.transfer("k", "external:a", "b", usdc("0.10"), "payment")
        ledger.transfer("k2", "external:a", "b", usdc("0.20"), "payment")
    with Ledger(path) as again:
        assert again.balance("b", "USDC") == Decimal("0.30")  # not 0.30000000000000004
        assert not again.transfer("k", "external:a", "b", usdc("0.10"), "payment")
        assert again.is_balanced()


def test_currencies_are_kept_apart() -> None:
    with Ledger(":memory:") as ledger:
        ledger.transfer("k1", "external:a", "b", usdc("1"), "p")
        ledger.transfer("k2", "external:a", "b", Money(amount=Decimal(2), currency="EUR"), "p")
        assert ledger.currencies() == ["EUR", "USDC"]
        assert ledger.balances("EUR") == {"b": Decimal(2), "external:a": Decimal(-2)}
        with pytest.raises(InsufficientFundsError, match="b holds 2 EUR, cannot pay 3 EUR"):
            ledger.transfer("k3", "b", "c", Money(amount=Decimal(3), currency="EUR"), "p")


_accounts = st.sampled_from(["external:funding", "d", "escrow:t", "bond:t:x", "x", "y"])
_amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2)
_transfers = st.lists(
    st.tuples(st.integers(0, 30), _accounts, _accounts, _amounts), min_size=1, max_size=40
)


@given(_transfers)
def test_random_postings_conserve_money(steps: list[tuple[int, str, str, Decimal]]) -> None:
    expected: dict[str, Decimal] = {}
    applied: set[str] = set()
    with Ledger(":memory:") as ledger:
        for key, src, dst, amount in steps:
            if src == dst:
                continue
            posting = Posting(
                f"k{key}-{src}-{dst}-{amount}",
                "p",
                "USDC",
                (Entry(src, -amount), Entry(dst, amount)),
            )
            known = posting.key in applied
            short = not src.startswith("external:") and expected.get(src, 0) < amount
            if short and not known:
                with pytest.raises(InsufficientFundsError):
                    ledger.post(posting)
                continue
            is_new = ledger.post(posting)
            assert is_new == (not known)
            applied.add(posting.key)
            if is_new:
                expected[src] = expected.get(src, Decimal(0)) - amount
                expected[dst] = expected.get(dst, Decimal(0)) + amount
            # replaying the same posting never moves money again
            assert not ledger.post(posting)
        balances = ledger.balances("USDC")
        assert sum(balances.values(), Decimal(0)) == 0
        assert ledger.is_balanced()
        assert {a: b for a, b in balances.items() if b} == {a: b for a, b in expected.items() if b}
        assert all(b >= 0 for a, b in balances.items() if not a.startswith("external:"))


def _summed_entries(path: Path) -> dict[tuple[str, str], Decimal]:
    """Every account's balance the slow way: the sum of its entries, read with plain SQL."""
    totals: dict[tuple[str, str], Decimal] = {}
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT e.account, p.currency, e.amount FROM entries e "
            "JOIN postings p ON p.seq = e.posting_seq"
        ).fetchall()
    for account, currency, amount in rows:
        totals[account, currency] = totals.get((account, currency), Decimal(0)) + Decimal(amount)
    return totals


@settings(max_examples=40)
@given(_transfers)
def test_running_balances_equal_the_sums_of_the_entries(
    steps: list[tuple[int, str, str, Decimal]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.sqlite"
        with Ledger(path) as ledger:
            for key, src, dst, amount in steps:
                if src == dst:
                    continue
                with contextlib.suppress(InsufficientFundsError, LedgerConflictError):
                    ledger.transfer(f"k{key}", src, dst, usdc(str(amount)), "p")
                with contextlib.suppress(InsufficientFundsError, LedgerConflictError):
                    ledger.transfer_up_to(f"u{key}", src, dst, usdc(str(amount)), "p")
            running = {(a, "USDC"): b for a, b in ledger.balances("USDC").items()}
            assert running == _summed_entries(path)
            assert all(ledger.balance(a, c) == b for (a, c), b in running.items())
            assert ledger.is_balanced()


def test_a_ledger_file_without_running_balances_gets_them_from_its_entries(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.transfer("f", "external:funding", "a", usdc("5.10"), "funding")
        ledger.transfer("p", "a", "b", usdc("2.05"), "pay")
    with sqlite3.connect(path) as conn:  # the file as an earlier version wrote it
        conn.execute("DROP TABLE balances")
    with Ledger(path) as again:
        assert again.balances("USDC") == {
            "a": Decimal("3.05"),
            "b": Decimal("2.05"),
            "external:funding": Decimal("-5.10"),
        }
        with pytest.raises(InsufficientFundsError, match=r"a holds 3\.05 USDC"):
            again.transfer("q", "a", "b", usdc("4"), "pay")
        assert again.is_balanced()


def test_is_balanced_sees_a_running_balance_that_drifted_from_the_entries(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.transfer("f", "external:funding", "a", usdc("5"), "funding")
        ledger.transfer("g", "external:funding", "b", usdc("5"), "funding")
    with sqlite3.connect(path) as conn:  # move money in the table only: sums stay zero
        conn.execute("UPDATE balances SET balance = '6' WHERE account = 'a'")
        conn.execute("UPDATE balances SET balance = '4' WHERE account = 'b'")
    with Ledger(path) as again:
        assert not again.is_balanced()
        assert again.is_balanced("f")  # each posting on its own still adds up


def test_transfer_up_to_refuses_a_key_used_for_another_target() -> None:
    with Ledger(":memory:") as ledger:
        ledger.transfer("f", "external:funding", "a", usdc("5"), "funding")
        assert ledger.transfer_up_to("u", "a", "b", usdc("2"), "charge") == Decimal(2)
        with pytest.raises(LedgerConflictError, match="'u' was already used"):
            ledger.transfer_up_to("u", "a", "c", usdc("2"), "charge")
        assert ledger.balances("USDC") == {
            "a": Decimal(3),
            "b": Decimal(2),
            "external:funding": Decimal(-5),
        }
