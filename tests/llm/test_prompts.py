"""Prompt templates: shipped files, versions, role sections, strict variables."""

from __future__ import annotations

import pytest

from negotiator.errors import UsageError
from negotiator.llm.prompts import PromptTemplate, available_prompts, load_prompt, render_prompt
from negotiator.llm.protocol import ChatMessage


def test_shipped_prompts_are_found_through_the_package() -> None:
    shipped = available_prompts()
    for name in ("repair", "repair_text", "structured_output"):
        assert shipped[name][0] == 1


def test_render_fills_named_variables_and_keeps_other_braces() -> None:
    template = PromptTemplate(
        "t", 2, (("system", 'Reply like {"a": 1}.'), ("user", "Task {{ task }} for {{who}}."))
    )
    assert template.id == "t.v2"
    assert template.render({"task": 7, "who": "ann"}) == [
        ChatMessage("system", 'Reply like {"a": 1}.'),
        ChatMessage("user", "Task 7 for ann."),
    ]


def test_missing_variable_names_template_and_variable() -> None:
    with pytest.raises(UsageError, match=r"prompt 'repair.v1': missing variable 'problems'"):
        render_prompt("repair", {})


def test_unknown_variable_is_an_error() -> None:
    with pytest.raises(UsageError, match=r"prompt 'repair.v1': unknown variable 'problem'"):
        render_prompt("repair", {"problems": "x", "problem": "y"})


def test_unknown_template_and_version() -> None:
    with pytest.raises(UsageError, match=r"unknown prompt 'nope'; shipped prompts: .*repair"):
        load_prompt("nope")
    with pytest.raises(UsageError, match=r"prompt 'repair' has no version 9; versions: 1"):
        load_prompt("repair", 9)


def test_repair_prompt_renders_the_problems() -> None:
    (message,) = render_prompt("repair", {"problems": "$.price: -5 is less than 0"})
    assert message.role == "user"
    assert "$.price: -5 is less than 0" in message.content
    assert "{{" not in message.content


def test_documentation_before_first_marker_is_not_sent() -> None:
    template = load_prompt("structured_output")
    assert [role for role, _ in template.sections] == ["system"]
    assert "Appended to the system prompt" not in template.sections[0][1]
    assert template.variables == {"name", "schema"}
