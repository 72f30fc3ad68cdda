"""Regression tests of the red-team findings (H1-H3, M1, M3, M4, L1, L2, L5): each reproduces
the reported attack and checks the class of fix, not only the example."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest

from negotiator import DeterministicClient, Ledger, SimulatedExecutor, delegate, demo_setup
from negotiator.cli.demo import create_run_folder
from negotiator.cli.models import stored_settings
from negotiator.delegation.bidding import SealedBid
from negotiator.delegation.clarify import AnswerText, QuestionList, anonymise
from negotiator.delegation.clock import FixedClock
from negotiator.delegation.ledger import InsufficientFundsError
from negotiator.delegation.screening import open_bids
from negotiator.errors import InvalidInputError
from negotiator.llm.guard import ask_text, text_problem
from negotiator.llm.openai_client import OpenAICompatibleClient, RetryPolicy
from negotiator.llm.protocol import ModelResult, ResultSource, StructuredCall, TextCall
from negotiator.llm.secrets import redact_url, url_secrets
from negotiator.money import Money
from negotiator.wire.clarification import Question
from negotiator.wire.validation import validate_raw

from .conftest import NOW, make_bid, usdc

DELEGATOR = "did:web:acme-analytics.example"


def run(scenario: str = "success", ledger: Ledger | None = None, **kw: Any) -> Any:
    s = demo_setup(scenario)
    funding = kw.pop("funding", s.funding)
    with Ledger(":memory:") if ledger is None else _same(ledger) as books:
        out = delegate(
            s.request,
            bidders=s.bidders,
            executor=kw.pop("executor", SimulatedExecutor(s.script, 7)),
            clock=FixedClock(s.start),
            runs_dir=kw.pop("runs_dir", None),
            funding=funding,
            run_id=kw.pop("run_id", "r"),
            ledger=books,
            **kw,
        )
        return out, books.balances("USDC")


class _same:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def __enter__(self) -> Ledger:
        return self.ledger

    def __exit__(self, *exc: object) -> None:
        return None


def negatives(balances: dict[str, Decimal]) -> dict[str, Decimal]:
    return {a: b for a, b in balances.items() if b < 0 and not a.startswith("external:")}


class WordingClient(DeterministicClient):
    """The reported H1 sketch: a delegator whose text() answers "Contract \\x07 wording"."""

    async def text(self, call: TextCall) -> ModelResult[str]:
        return ModelResult("Contract \x07 wording", ResultSource.MODEL)


class ControlCharacterClient(DeterministicClient):
    """Questions and answers carrying control characters, as a model's (H1, every type)."""

    async def structured(self, call: StructuredCall[Any]) -> ModelResult[Any]:
        value = call.fallback()
        if isinstance(value, QuestionList):
            value = QuestionList.model_construct(questions=("What \x1b[2J is it?",))
        if isinstance(value, AnswerText):
            value = AnswerText.model_construct(text="It is \x00 this.")
        return ModelResult(value, ResultSource.MODEL)


# H1: one control character from any model no longer aborts the run or strands the escrow
@pytest.mark.parametrize("client", [WordingClient(), ControlCharacterClient()])
def test_control_characters_from_a_model_fall_back_and_the_run_settles(client: Any) -> None:
    baseline, _ = run()
    out, balances = run(client=client)
    assert out.outcome == "completed" and out.payments == baseline.payments
    assert balances.get("escrow:r", 0) == 0 and out.fallbacks > 0


def test_the_answer_types_carry_the_wire_text_rules() -> None:
    for model, field in ((QuestionList, "questions"), (AnswerText, "text")):
        value: Any = ("Why \x07?",) if field == "questions" else "No \x1b."
        with pytest.raises(ValueError, match="should match pattern"):
            model.model_validate({field: value})
    result = asyncio.run(ask_text(WordingClient(), TextCall("s", [], lambda: "fallback")))
    assert (result.value, result.source) == ("fallback", ResultSource.FALLBACK)
    assert result.fallback_reason is not None and "U+0007" in result.fallback_reason
    assert text_problem("clear \x9b2J screen") is not None  # C1: a terminal escape
    assert text_problem("text \u202e reversed") is not None  # a bidirectional override
    assert text_problem("Größe: 中文, tab\tand\nnewline") is None


def _server(content: str) -> OpenAICompatibleClient:
    def handle(request: httpx2.Request) -> httpx2.Response:
        message = {"role": "assistant", "content": content}
        choice = {"index": 0, "finish_reason": "stop", "message": message}
        body = {"id": "c", "object": "chat.completion", "created": 0, "model": "m"}
        return httpx2.Response(200, json=body | {"choices": [choice]})

    return OpenAICompatibleClient(
        model="m",
        base_url="http://hostile.invalid/v1",
        max_reasks=1,
        retry=RetryPolicy(max_attempts=1),
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handle)),
    )


# H2: the client never raises for what a model sends
@pytest.mark.parametrize(
    "content", ["[" * 100_000, '{"text": ' + "7" * 5000 + "}", '{"text": "a", "text": "b"}']
)
def test_the_openai_client_falls_back_on_unreadable_answers(content: str) -> None:
    client = _server(content)
    call = StructuredCall("s", [], AnswerText, fallback=lambda: AnswerText(text="numbers"))
    result = asyncio.run(client.structured(call))
    assert (result.value.text, result.source) == ("numbers", ResultSource.FALLBACK)
    text = asyncio.run(_server("\x07\x00").text(TextCall("t", [], lambda: "plain")))
    assert text.value == "plain"


# H3: money never leaves a wallet that cannot pay
def test_an_underfunded_delegator_fails_cleanly_with_every_bond_returned() -> None:
    s = demo_setup("success")
    out, balances = run(funding=s.funding | {DELEGATOR: usdc("1.00")})
    assert out.outcome == "failed"
    assert out.failure is not None and "cannot fund the winning price" in out.failure
    assert not negatives(balances) and out.ledger_balanced
    assert all(b == 0 for a, b in balances.items() if a.startswith(("escrow:", "bond:")))
    assert balances[DELEGATOR] == Decimal("1.00")


def test_a_replacement_difference_is_charged_only_up_to_the_contractors_wallet() -> None:
    s = demo_setup("breach")
    policy = s.request.policy.model_copy(update={"penalty_fraction": 0.0})
    silent = s.script.model_copy(update={"silent_from": 1, "tests_fail_from": None})
    request = s.request.model_copy(update={"policy": policy})
    funding = s.funding | {"did:web:fast-coder.ai": usdc("0.50")}
    with Ledger(":memory:") as ledger:
        out = delegate(
            request,
            bidders=s.bidders,
            executor=SimulatedExecutor(silent, 7),
            clock=FixedClock(s.start),
            runs_dir=None,
            funding=funding,
            run_id="r",
            ledger=ledger,
        )
        assert out.outcome == "breached"
        assert not negatives(ledger.balances("USDC")) and ledger.is_balanced()


def test_the_ledger_refuses_an_overdraft_in_the_postings_transaction(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.transfer("f", "external:funding", "a", usdc("1.00"), "funding")
        with pytest.raises(InsufficientFundsError, match=r"a holds 1\.00 USDC, cannot pay 2\.00"):
            ledger.transfer("t", "a", "b", usdc("2.00"), "pay")
        assert ledger.balance("a", "USDC") == Decimal("1.00") and len(ledger.postings()) == 1


# M3: separate connections to one ledger file never spend the same money twice
def test_threads_with_their_own_connections_cannot_overdraw(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    with Ledger(path) as ledger:
        ledger.transfer("f", "external:funding", "a", usdc("5.00"), "funding")
    refused: list[str] = []

    def spend(i: int) -> None:
        with Ledger(path) as own:
            try:
                own.transfer(f"t{i}", "a", f"b{i}", usdc("1.00"), "pay")
            except InsufficientFundsError:
                refused.append(str(i))

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Ledger(path) as ledger:
        assert ledger.balance("a", "USDC") == 0 and len(refused) == 7


def test_concurrent_runs_of_one_task_stake_bonds_per_run() -> None:
    s = demo_setup("success")

    async def twelve(ledger: Ledger) -> list[Any]:
        ledger.transfer("f", "external:funding", DELEGATOR, usdc("13.00"), "funding")
        for b in s.bidders:
            ledger.transfer(f"f/{b.bidder_id}", "external:funding", b.bidder_id, usdc("1.50"), "x")
        from negotiator import adelegate  # noqa: PLC0415 (lazy root export)

        return await asyncio.gather(
            *(
                adelegate(
                    s.request,
                    bidders=s.bidders,
                    executor=SimulatedExecutor(s.script, 7),
                    clock=FixedClock(s.start),
                    runs_dir=None,
                    run_id=f"run-{i}",
                    ledger=ledger,
                )
                for i in range(12)
            )
        )

    with Ledger(":memory:") as ledger:
        outs = asyncio.run(twelve(ledger))
        balances = ledger.balances("USDC")
        assert not negatives(balances) and ledger.is_balanced()
        assert {o.outcome for o in outs} <= {"completed", "failed"}
        assert sum(o.outcome == "completed" for o in outs) == 2  # 13.00 pays two 5.00 prices
        assert all(b == 0 for a, b in balances.items() if a.startswith(("escrow:", "bond:")))


# M1: screening holds every bid to its sender's registered profile
def test_screening_rejects_a_bid_beyond_the_registered_profile(task: Any, bidders: Any) -> None:
    profile = next(b for b in bidders if b.bidder_id == "did:web:budget-bot.dev")
    claims = {
        "claimed_quality": 0.99,
        "privacy_guarantee": "he",
        "estimated_duration_seconds": 1,
    }
    bid = make_bid(profile.bidder_id, price=usdc(str(profile.cost)), **claims)
    envelope = SealedBid(
        sender_id=profile.bidder_id,
        received_at=NOW + timedelta(seconds=5),
        payload=bid.model_dump(mode="json"),
    )
    deadline = NOW + timedelta(seconds=600)
    profiles = {b.bidder_id: b for b in bidders}
    result = open_bids(task, [envelope], deadline, deadline, profiles=profiles)
    (rejection,) = result.rejected
    paths = [r.path for r in rejection.reasons]
    assert "$.claimed_quality" in paths and "$.privacy_guarantee" in paths
    assert "$.estimated_duration_seconds" in paths
    stranger = envelope.model_copy(update={"sender_id": "did:web:stranger.ai"})
    assert open_bids(task, [stranger], deadline, deadline, profiles=profiles).valid == ()


# M4: credentials in a base URL never reach run.json, and are known as secrets
def test_base_url_credentials_are_redacted_from_the_run_description(tmp_path: Path) -> None:
    url = "http://user:KEY-1234@127.0.0.1:8080/v1?api-key=QKEY-5678"
    assert url_secrets(url) == ["KEY-1234", "QKEY-5678", "dXNlcjpLRVktMTIzNA==", "user:KEY-1234"]
    stored = stored_settings({"model": "m", "base_url": url})
    assert stored is not None and "KEY" not in json.dumps(stored)
    create_run_folder(tmp_path / "run", "run.json", {"model": stored})
    assert "KEY-1234" not in (tmp_path / "run" / "run.json").read_text()
    assert redact_url("http://h/v1?x=1") == "http://h/v1?x=1"


def test_the_client_scrubs_its_key_from_answers_that_echo_it() -> None:
    key = "sk-secret-0123456789"

    def handle(request: httpx2.Request) -> httpx2.Response:
        echoed = request.headers["authorization"]
        message = {"role": "assistant", "content": json.dumps({"text": f"You sent {echoed}"})}
        choice = {"index": 0, "finish_reason": "stop", "message": message}
        body = {"id": "c", "object": "chat.completion", "created": 0, "model": "m"}
        return httpx2.Response(200, json=body | {"choices": [choice]})

    call = StructuredCall("s", [], AnswerText, fallback=lambda: AnswerText(text="x"))
    for base_url in ("http://h.invalid/v1", "http://user:urlpass-999@h.invalid/v1"):
        client = OpenAICompatibleClient(
            model="m",
            base_url=base_url,
            api_key=key,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handle)),
        )
        text = asyncio.run(client.structured(call)).value.text
        assert text in ("You sent Bearer [REDACTED]", "You sent Basic [REDACTED]")


# L1: money is read from its literal, in ASCII digits, without negative zero
@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("1e-1000", "cannot be read exactly"),
        ("4.999999999999999999", "cannot be read exactly"),
        ('"\u0665.\u0660\u0660"', "is not a non-negative decimal"),
        ('"\uff15"', "is not a non-negative decimal"),
    ],
)
def test_amounts_are_checked_as_written(amount: str, error: str) -> None:
    raw = json.dumps(make_bid().model_dump(mode="json")).replace('"5.00"', amount, 1)
    with pytest.raises(InvalidInputError, match=error):
        validate_raw("bid", raw)


def test_negative_zero_and_duplicate_keys() -> None:
    assert str(Money.model_validate({"amount": -0.0, "currency": "USDC"}).amount) == "0.0"
    assert Money.model_validate({"amount": "-0", "currency": "USDC"}).model_dump_json() == (
        '{"amount":"0","currency":"USDC"}'
    )
    raw = json.dumps(make_bid().model_dump(mode="json"))
    doubled = '{"bidder_id": "did:web:evil.ai", ' + raw[1:]
    with pytest.raises(InvalidInputError, match=r"\$\.bidder_id: duplicate key"):
        validate_raw("bid", doubled)


# L2: a run folder is created with its description or not at all
def test_a_run_folder_left_without_its_description_can_be_started_again(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()  # what a kill between mkdir and the description used to leave
    create_run_folder(tmp_path / "r", "run.json", {"run_id": "r"})
    assert json.loads((tmp_path / "r" / "run.json").read_text()) == {"run_id": "r"}
    create_run_folder(tmp_path / "fresh", "run.json", {"run_id": "fresh"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "r"]  # no staging left


# L5: the FAQ's question ids never name the asker
def test_question_ids_do_not_reveal_the_askers() -> None:
    asked = [
        Question(id=f"r1-{b}-1", task_id="t", bidder_id=b, text=text)
        for b, text in (("did:web:z.ai", "Alpha?"), ("did:web:a.ai", "Beta?"))
    ]
    ids = [q.id for q in anonymise(asked, 1)]
    assert ids == ["r1-q1", "r1-q2"]
    out, _ = run()
    assert out.clarifications > 0


def test_resuming_a_run_whose_address_was_redacted_asks_for_it_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from negotiator.cli import main  # noqa: PLC0415 (keeps this module's imports light)

    meta = {
        "flow": "delegation",
        "run_id": "r",
        "seed": 7,
        "inputs": {},
        "model": stored_settings({"model": "m", "base_url": "http://u:KEY-1234@h/v1"}),
    }
    create_run_folder(tmp_path / "r", "run.json", meta)
    assert main(["resume", "r", "--runs-dir", str(tmp_path)]) == 2
    assert "pass --base-url (and --model) again, or --offline" in capsys.readouterr().err


def test_the_seam_guard_passes_a_required_models_stop_on() -> None:
    from negotiator.errors import ModelUnavailableError  # noqa: PLC0415
    from negotiator.llm.strict import RequireModel  # noqa: PLC0415

    call = TextCall("greet", [], lambda: "hi")
    with pytest.raises(ModelUnavailableError, match="a model answer is required"):
        asyncio.run(ask_text(RequireModel(DeterministicClient()), call))


def test_a_finished_run_run_again_from_scratch_moves_nothing() -> None:
    # the contractor's bond is forfeited, leaving its wallet below the bond: a second run of the
    # same run id (no checkpoints: in memory) must judge its bid as the first did
    s = demo_setup("breach")
    funding = s.funding | {"did:web:fast-coder.ai": usdc("0.93")}
    silent = s.script.model_copy(update={"silent_from": 1})  # missed reports: bond forfeited

    def once(ledger: Ledger) -> Any:
        executor = SimulatedExecutor(silent, 7)
        return run("breach", ledger, funding=funding, executor=executor)[0]

    with Ledger(":memory:") as ledger:
        first = once(ledger)
        assert ledger.balance("did:web:fast-coder.ai", "USDC") < Decimal("0.50")  # its bond
        postings = len(ledger.postings())
        again = once(ledger)
        assert first.outcome == again.outcome == "breached"
        assert again.payments == first.payments and len(ledger.postings()) == postings
