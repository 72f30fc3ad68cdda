"""The clause registry: one entry per member of the ``Clause`` union, each with a wording
template, and the monitor and the wording both dispatch through it."""

from __future__ import annotations

import typing
from importlib import resources

from negotiator.delegation.clauses import CLAUSE_KINDS, ClauseStatus, clause_kind
from negotiator.wire.clauses import Clause, DefaultPenalty, MonitoringAgreement

from .conftest import make_contract


def _union_members() -> set[type]:
    (union, *_meta) = typing.get_args(Clause)
    return set(typing.get_args(union))


def test_every_clause_kind_has_exactly_one_entry() -> None:
    assert {entry.model for entry in CLAUSE_KINDS.values()} == _union_members()
    assert all(kind == entry.kind for kind, entry in CLAUSE_KINDS.items())


def test_every_kind_has_a_wording_template() -> None:
    folder = resources.files("negotiator").joinpath("contracts", "clauses")
    assert all(folder.joinpath(f"{kind}.v1.txt").is_file() for kind in CLAUSE_KINDS)


def test_each_clause_of_a_contract_finds_its_own_entry() -> None:
    contract = make_contract()
    for clause in contract.clauses:
        assert isinstance(clause, clause_kind(clause).model)
    kinds = {type(c) for c in contract.clauses}
    assert {MonitoringAgreement, DefaultPenalty} <= kinds


def test_a_missed_report_counts_against_the_monitoring_clause_only() -> None:
    contract = make_contract()
    statuses = {type(c).__name__: clause_kind(c).check(c, None, 99)[0] for c in contract.clauses}
    assert statuses["MonitoringAgreement"] is ClauseStatus.VIOLATED
    assert all(
        s is not ClauseStatus.VIOLATED
        for name, s in statuses.items()
        if name != "MonitoringAgreement"
    )
