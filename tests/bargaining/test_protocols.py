from __future__ import annotations

import pytest

from negotiator.bargaining import (
    FixedOfferParty,
    Message,
    Negotiation,
    Status,
    bilateral,
    generated_scenario,
)
from negotiator.errors import InvalidInputError, ProtocolViolationError, UnknownKeyError

M = Message


def fresh(protocol: str, rounds: int = 5) -> Negotiation[int]:
    return Negotiation(protocol, (FixedOfferParty(1), FixedOfferParty(2)), rounds)


@pytest.mark.parametrize("protocol", ["protocol1", "protocol2", "alternating"])
def test_accepting_nothing_is_illegal(protocol: str) -> None:
    n = fresh(protocol)
    with pytest.raises(ProtocolViolationError, match=r"no offer to accept|not a message"):
        n.submit(M.ACCEPT_OFFER)
    assert n.trace == () and n.status is Status.RUNNING


def test_protocol1_has_no_accept_message() -> None:
    n = fresh("protocol1")
    n.submit(M.MAKE_OFFER, 7)
    with pytest.raises(ProtocolViolationError, match=r"protocol1: accept-offer .* not a message"):
        n.submit(M.ACCEPT_OFFER)


def test_after_a_last_offer_only_accept_or_break() -> None:
    n = fresh("protocol2")
    n.submit(M.LAST_OFFER, 7)
    for message in (M.MAKE_OFFER, M.LAST_OFFER):
        with pytest.raises(ProtocolViolationError, match="after a last-offer"):
            n.submit(message, 3)
    n.submit(M.ACCEPT_OFFER)
    assert n.status is Status.AGREED and n.result().agreement == 7


def test_nobody_may_counter_or_break_after_an_accept() -> None:
    n = fresh("protocol2")
    n.submit(M.MAKE_OFFER, 7)
    n.submit(M.ACCEPT_OFFER)
    for message, offer in ((M.MAKE_OFFER, 3), (M.NEGO_BROKEN, None), (M.ACCEPT_OFFER, None)):
        with pytest.raises(ProtocolViolationError, match="already ended"):
            n.submit(message, offer)
    with pytest.raises(ProtocolViolationError, match="already"):
        n.step()


def test_offer_messages_need_an_offer_and_alternating_has_no_last_offer() -> None:
    with pytest.raises(ProtocolViolationError, match="must carry an offer"):
        fresh("alternating").submit(M.MAKE_OFFER)
    with pytest.raises(ProtocolViolationError, match="not a message"):
        fresh("alternating").submit(M.LAST_OFFER, 1)


def test_break_off_any_time() -> None:
    n = fresh("protocol1")
    n.submit(M.MAKE_OFFER, 1)
    n.submit(M.NEGO_BROKEN)
    r = n.result()
    assert r.status is Status.BROKEN and r.agreement is None and r.messages == 2


def test_protocol1_ends_when_an_offer_enters_the_zone() -> None:
    n = Negotiation("protocol1", (FixedOfferParty(2), FixedOfferParty(2)), 5)
    n.step()
    assert n.status is Status.AGREED and n.result().agreement == 2


def test_deadline_times_out() -> None:
    r = fresh("protocol2", rounds=3).run()
    assert r.status is Status.TIMED_OUT and r.messages == 6 and r.rounds == 3
    assert [e.party for e in r.trace] == [0, 1, 0, 1, 0, 1]
    assert [e.round_no for e in r.trace] == [1, 1, 2, 2, 3, 3]


def test_construction_errors() -> None:
    with pytest.raises(UnknownKeyError, match="alternating"):
        Negotiation("auction", (FixedOfferParty(1), FixedOfferParty(1)))
    with pytest.raises(InvalidInputError, match="two parties"):
        Negotiation("alternating", (FixedOfferParty(1),))
    with pytest.raises(InvalidInputError, match="max_rounds"):
        Negotiation("alternating", (FixedOfferParty(1), FixedOfferParty(1)), 0)


@pytest.mark.parametrize("pair", [("boulware", "conceder"), ("linear", "tit-for-tat")])
def test_stepping_equals_running_and_is_deterministic(pair: tuple[str, str]) -> None:
    scenario = generated_scenario(11)
    ran = Negotiation("alternating", bilateral(scenario, *pair), 100).run()
    again = Negotiation("alternating", bilateral(scenario, *pair), 100).run()
    stepper = Negotiation("alternating", bilateral(scenario, *pair), 100)
    while stepper.status is Status.RUNNING:
        stepper.step()
    assert ran.trace == again.trace == stepper.result().trace
    assert ran.status is Status.AGREED and ran.agreement == stepper.result().agreement
