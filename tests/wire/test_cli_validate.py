"""`negotiator validate KIND FILE`: exit 0 "valid", exit 2 with one line per error."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from negotiator.cli import main
from negotiator.trust import KeyRegistry, derive_key, keyring
from negotiator.wire import Bid, Signature, WireModel


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_valid_bid_exits_0(
    tmp_path: Path, sample: dict[str, WireModel], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "bid.json", sample["bid"].model_dump_json())
    assert main(["validate", "bid", path]) == 0
    assert capsys.readouterr().out == "valid\n"


def test_broken_bid_exits_2_naming_each_field(
    tmp_path: Path, sample: dict[str, WireModel], capsys: pytest.CaptureFixture[str]
) -> None:
    data = sample["bid"].model_dump(mode="json")
    data["price"]["amount"] = -5
    del data["bidder_id"]
    path = write(tmp_path, "bad.json", data)
    assert main(["validate", "bid", path]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"negotiator validate: bid {path}: $.bidder_id: required field is missing",
        f"negotiator validate: bid {path}: $.price.amount: -5 is less than the minimum of 0",
    ]


def test_json_output_is_one_object(
    tmp_path: Path, sample: dict[str, WireModel], capsys: pytest.CaptureFixture[str]
) -> None:
    data = sample["bid"].model_dump(mode="json") | {"claimed_quality": 2}
    path = write(tmp_path, "bad.json", data)
    assert main(["validate", "bid", path, "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "kind": "bid",
        "file": path,
        "valid": False,
        "errors": [{"path": "$.claimed_quality", "message": "2 is greater than the maximum of 1"}],
    }


def test_task_and_clock_rules(
    tmp_path: Path, sample: dict[str, WireModel], capsys: pytest.CaptureFixture[str]
) -> None:
    task = write(tmp_path, "task.json", sample["task"].model_dump_json())
    bid = write(tmp_path, "bid.json", sample["bid"].model_dump_json())
    assert main(["validate", "bid", bid, "--task", task, "--now", "2026-09-01T00:00:00Z"]) == 0
    assert main(["validate", "bid", bid, "--now", "2026-10-02T00:00:00+09:00"]) == 2
    assert "$.expiry: 2026-10-01T12:00:00+00:00 is not after" in capsys.readouterr().err


def test_bad_task_file_is_named(
    tmp_path: Path, sample: dict[str, WireModel], capsys: pytest.CaptureFixture[str]
) -> None:
    task = write(tmp_path, "task.json", {"id": "t"})
    bid = write(tmp_path, "bid.json", sample["bid"].model_dump_json())
    assert main(["validate", "bid", bid, "--task", task, "--now", "now"]) == 2
    assert f"negotiator validate: task {task}: $.budget: required field is missing" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "bid", "/no/such/file.json"], "file.json: $: cannot read: no such file"),
        (["validate", "bid", "-", "--now", "yesterday"], "--now 'yesterday' is not an RFC 3339"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.splitlines()) == 1


def test_reads_standard_input(
    sample: dict[str, WireModel],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(sample["question"].model_dump_json()))
    assert main(["validate", "question", "-"]) == 0
    assert capsys.readouterr().out == "valid\n"


def test_unknown_kind_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["validate", "bids", "x.json"])
    assert exited.value.code == 2
    assert "invalid choice: 'bids'" in capsys.readouterr().err


def _registry_file(tmp_path: Path) -> str:
    keys = keyring(["did:web:fast-coder.ai", "did:web:acme.example"], seed=0)
    path = tmp_path / "keys.json"
    KeyRegistry.of(keys.values()).save(path)
    return str(path)


def test_keys_check_the_signature_of_a_signed_kind(
    tmp_path: Path, signed_sample: dict[str, WireModel], capsys: pytest.CaptureFixture[str]
) -> None:
    keys = _registry_file(tmp_path)
    for kind in ("bid", "offer", "contract", "report"):
        path = write(tmp_path, f"{kind}.json", signed_sample[kind].model_dump_json())
        assert main(["validate", kind, path, "--keys", keys]) == 0, kind
    award = write(tmp_path, "award.json", signed_sample["award"].model_dump_json())
    assert (
        main(["validate", "award", award, "--keys", keys, "--signer", "did:web:acme.example"]) == 0
    )
    assert main(["validate", "award", award, "--keys", keys, "--signer", "did:web:x.example"]) == 2
    assert "$.signature.party_id" in capsys.readouterr().err


def test_a_bid_signed_with_another_agents_key_exits_2_naming_the_signature(
    tmp_path: Path, signed_sample: dict[str, WireModel], capsys: pytest.CaptureFixture[str]
) -> None:
    bid = signed_sample["bid"]
    assert isinstance(bid, Bid)
    other = derive_key("did:web:acme.example", 0)  # a real agent's key, not the bidder's
    header = Signature(
        party_id=bid.bidder_id,
        terms_sha256=bid.signature.terms_sha256 if bid.signature else "",
        signed_at=datetime(2026, 9, 1, tzinfo=UTC),
        value="A" * 86,
    )
    forged = bid.model_copy(
        update={
            "signature": header.model_copy(update={"value": other.sign(header.signed_message())})
        }
    )
    path = write(tmp_path, "forged.json", forged.model_dump_json())
    assert main(["validate", "bid", path]) == 0  # without keys only the form is checked
    capsys.readouterr()
    assert main(["validate", "bid", path, "--keys", _registry_file(tmp_path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"negotiator validate: bid {path}: $.signature: does not verify for did:web:fast-coder.ai"
    ]
    assert main(["validate", "bid", path, "--keys", _registry_file(tmp_path), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["errors"][0]["path"] == "$.signature"
