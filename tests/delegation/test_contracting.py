from __future__ import annotations

from negotiator.delegation.contracting import ContractPolicy, template_wording
from negotiator.wire.clauses import Milestone
from negotiator.wire.common import sha256_hex

from .conftest import make_contract


def test_terms_come_from_numbers() -> None:
    c = make_contract()
    kinds = [cl.kind for cl in c.clauses]
    assert kinds == [
        "performance_requirement",
        "penalty",
        "cancellation_compensation",
        "monitoring",
        "autonomy",
        "default_penalty",
    ]
    perf, penalty, cancel, monitoring, autonomy, default = c.clauses
    assert (perf.metric, perf.comparator.value, perf.threshold) == (
        "lighthouse_performance_delta",
        ">=",
        20.0,
    )
    assert penalty.trigger.subject == "existing_tests_pass" and penalty.forfeit_fraction == 0.5
    assert cancel.method.value == "pro_rata" and cancel.bond_returned
    assert (monitoring.report_interval_seconds, monitoring.max_missed_reports) == (300, 2)
    assert autonomy.level.value == "full"  # reputation 0.9
    assert default.bond_forfeited and default.replacement_price_difference_charged
    assert (str(c.price), str(c.bond), c.contractor_id) == (
        "5.00 USDC",
        "0.50 USDC",
        "did:web:a.ai",
    )


def test_a_default_policy_adds_no_penalty_clause() -> None:
    kinds = [cl.kind for cl in make_contract(policy=ContractPolicy()).clauses]
    assert "penalty" not in kinds and "default_penalty" in kinds


def test_both_parties_sign_the_hash_of_the_canonical_terms() -> None:
    c = make_contract()
    assert c.fully_signed
    assert {s.terms_sha256 for s in c.signatures} == {sha256_hex(c.terms_json())}


def test_template_wording_states_every_number() -> None:
    text = template_wording(make_contract())
    for fragment in (
        "5.00 USDC",
        "0.50 USDC",
        "lighthouse_performance_delta >= 20 percent",
        "forfeits 50 % of the price (2.50 USDC)",
        "every 300 s",
        "2 consecutive missed reports",
        "pro rata",
    ):
        assert fragment in text


def test_milestone_policy() -> None:
    policy = ContractPolicy(
        milestones=(
            Milestone(progress=0.5, payout_fraction=0.4),
            Milestone(progress=1.0, payout_fraction=1.0),
        )
    )
    cancel = make_contract(policy=policy).clauses[1]
    assert cancel.method.value == "milestones"
    assert "per milestone: 40% at 50%, 100% at 100%" in template_wording(
        make_contract(policy=policy)
    )
