"""What signing and verifying cost per delegation: the demo delegation signed vs unsigned.

Usage: ``python bench/signing.py [--json] [--runs N]``

Each run is the whole recorded ``delegation`` flow (seed 000's success scenario, deterministic
model client, everything in memory): announce, clarify, five bids, screening, award, contract,
monitoring, settlement, the transcript written with its hash chain. *Signed* is the flow as it
ships: every bid, the award, both contract signatures, every report and the settlement are
signed by their author and verified by their receiver, and the hub seals the transcript head.
*Unsigned* is the same flow with the signing, verifying and sealing steps replaced by no-ops
(patched in this process only) — the named peer. Runs alternate between the two; the figures
are medians (milliseconds). The end-to-end difference is close to the run-to-run noise of a
~200 ms flow, so ``sign_and_verify_ms`` also times the signing work alone: every object one
delegation signs (``signed_objects``), signed by its author and verified by its receiver.
``verify_record_ms`` is ``negotiator verify``'s offline check of the finished record (chain,
head, every signature; no replay); ``sign_ops`` / ``verify_ops`` count the Ed25519 operations
of one signed delegation.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from negotiator.delegation import screening
from negotiator.delegation.audit import audit_record, parse_events
from negotiator.delegation.demo import demo_setup
from negotiator.flows import _SEALERS, arun_flow
from negotiator.graphs import nodes
from negotiator.graphs.runner import FLOW_NAME, run_keys
from negotiator.llm.deterministic import DeterministicClient
from negotiator.transcript.writer import dump_line
from negotiator.trust import AgentKey, KeyRegistry
from negotiator.trust import keys as trust_keys
from negotiator.trust import signing as trust_signing
from negotiator.trust.canonical import clear_hash_cache
from negotiator.wire import Award, Bid, Contract, ProgressReport, Settlement, WireModel
from negotiator.wire.signature import signature_problem
from negotiator.wire.signing import sign, signature_errors

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def delegate_once() -> list[str]:
    """Run the demo delegation once, in memory, with no hash remembered from an earlier run;
    return its transcript lines."""
    clear_hash_cache()
    setup = demo_setup("success")
    record = asyncio.run(
        arun_flow(
            FLOW_NAME,
            {"setup": setup.model_dump(mode="json")},
            client=DeterministicClient(),
            seed=7,
            run_id="bench",
        )
    )
    return [dump_line(record.header), *(dump_line(e) for e in record.events)]


@contextlib.contextmanager
def unsigned() -> Iterator[None]:
    """The same flow with signing, verifying and sealing replaced by no-ops."""
    saved: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, value: Any) -> None:
        saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    patch(nodes, "sign", lambda model, key, at: model)
    patch(nodes, "sign_contract", lambda contract, keys, now: contract)
    patch(nodes, "signature_errors", lambda model, registry, signer=None: [])
    patch(nodes, "receive_report", lambda report, contract, keys, at: (report, []))
    patch(screening, "signature_errors", lambda model, registry, signer=None: [])
    sealer = _SEALERS.pop(FLOW_NAME)
    try:
        yield
    finally:
        _SEALERS[FLOW_NAME] = sealer
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


def ms(fn: Callable[[], object]) -> float:
    """Milliseconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def cold(fn: Callable[..., object], *args: object) -> object:
    """Call ``fn`` with no hash remembered from an earlier call."""
    clear_hash_cache()
    return fn(*args)


def count_operations() -> tuple[int, int]:
    """Ed25519 signatures made and checked in one signed delegation."""
    counts = {"sign": 0, "verify": 0}
    sign, verify = trust_keys.AgentKey.sign, trust_signing.verify_bytes

    def counting_sign(self: trust_keys.AgentKey, message: bytes) -> str:
        counts["sign"] += 1
        return sign(self, message)

    def counting_verify(key: Any, message: bytes, signature: str) -> bool:
        counts["verify"] += 1
        return verify(key, message, signature)

    trust_keys.AgentKey.sign = counting_sign  # type: ignore[method-assign]
    originals = [(m, m.verify_bytes) for m in _verifiers()]
    for module, _ in originals:
        module.verify_bytes = counting_verify  # type: ignore[attr-defined]
    try:
        delegate_once()
    finally:
        trust_keys.AgentKey.sign = sign  # type: ignore[method-assign]
        for module, original in originals:
            module.verify_bytes = original  # type: ignore[attr-defined]
    return counts["sign"], counts["verify"]


def signed_objects(lines: list[str]) -> list[tuple[WireModel, AgentKey]]:
    """Every object one delegation signs, unsigned, with the key that signs it."""
    keys = run_keys(demo_setup("success"), 7)
    found: list[tuple[WireModel, AgentKey]] = []
    for event in parse_events(lines):
        model = {"award": Award, "report": ProgressReport, "settlement": Settlement}.get(event.kind)
        if event.kind == "sealed_bid":
            bid = Bid.model_validate(event.payload["payload"])
            found.append((bid.model_copy(update={"signature": None}), keys.key(bid.bidder_id)))
        elif event.kind == "contract":
            contract = Contract.model_validate(event.payload)
            bare = contract.model_copy(update={"signatures": ()})
            found += [
                (bare, keys.key(contract.delegator_id)),
                (bare, keys.key(contract.contractor_id)),
            ]
        elif model is not None:
            obj = model.model_validate(event.payload)
            signer = obj.signature.party_id  # type: ignore[attr-defined]
            found.append((obj.model_copy(update={"signature": None}), keys.key(signer)))
    return found


def sign_and_verify(objects: list[tuple[WireModel, AgentKey]], registry: KeyRegistry) -> None:
    """Sign each object as its author and verify the signature as its receiver would (no hash
    remembered from an earlier call)."""
    clear_hash_cache()
    for model, key in objects:
        signed = sign(model, key, SIGNED_AT)
        if isinstance(signed, Contract):
            signature_problem(signed.signatures[-1], signed.terms(), registry)
        else:
            signature_errors(signed, registry)


def _verifiers() -> list[Any]:
    from negotiator.transcript import chain  # noqa: PLC0415
    from negotiator.wire import signature  # noqa: PLC0415

    return [signature, chain]


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each variant (default 15)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    delegate_once()  # warm-up: imports, caches
    with unsigned():
        delegate_once()
    signed_ms, unsigned_ms = [], []
    for _ in range(args.runs):
        signed_ms.append(ms(delegate_once))
        with unsigned():
            unsigned_ms.append(ms(delegate_once))
    lines = delegate_once()
    registry = run_keys(demo_setup("success"), 7).registry
    assert audit_record(lines, registry) == [], "the benchmark's own record must verify"
    verify_ms = [ms(lambda: cold(audit_record, lines, registry)) for _ in range(args.runs)]
    objects = signed_objects(lines)
    crypto_ms = [ms(lambda: sign_and_verify(objects, registry)) for _ in range(args.runs)]
    sign_ops, verify_ops = count_operations()
    signed, plain = statistics.median(signed_ms), statistics.median(unsigned_ms)
    figures = {
        "runs": args.runs,
        "delegation_signed_ms": round(signed, 2),
        "delegation_unsigned_ms": round(plain, 2),
        "overhead_ms": round(signed - plain, 2),
        "ratio_signed_to_unsigned": round(signed / plain, 3),
        "sign_and_verify_ms": round(statistics.median(crypto_ms), 2),
        "signed_objects": len(objects),
        "verify_record_ms": round(statistics.median(verify_ms), 2),
        "sign_ops": sign_ops,
        "verify_ops": verify_ops,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:26} {value}")


if __name__ == "__main__":
    main()
