"""``negotiator --help`` lists every command from the table without importing the commands, and
says the same as the parser built from the command modules themselves."""

from __future__ import annotations

import argparse

import pytest

from negotiator.cli import COMMANDS, build_parser, main


def test_the_help_table_says_what_the_command_modules_say() -> None:
    assert build_parser(()).format_help() == build_parser().format_help()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_only_the_named_command_is_built_in_full(name: str) -> None:
    (sub,) = [a for a in build_parser([name])._actions if isinstance(a, argparse._SubParsersAction)]
    built = {n for n, p in sub.choices.items() if p.get_default("_run") is not None}
    assert built == {name}


def test_an_unknown_command_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["nope"])
    assert exit_.value.code == 2
    assert "invalid choice: 'nope' (choose from 'schemas', 'validate'" in capsys.readouterr().err
