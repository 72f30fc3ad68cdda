"""Prompt templates: versioned files shipped in the package, rendered with named variables.

A template lives in ``prompts/<name>.v<N>.md`` (the top-level ``prompts/`` folder, shipped as
``negotiator/prompts``). The file is a sequence of role sections, each opened by a marker line
``<!-- role: system -->``, ``<!-- role: user -->`` or ``<!-- role: assistant -->``; text before the
first marker documents the template and is never sent. Variables are written ``{{name}}``
(letters, digits and underscores). Rendering needs exactly the template's variables: a missing or
an unknown one is a :class:`~negotiator.errors.UsageError` naming the template and the variable,
so a prompt can never go out with a hole in it. Braces that are not ``{{name}}`` are left alone,
so JSON examples in a template need no escaping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from negotiator.errors import UsageError
from negotiator.llm.protocol import ChatMessage

__all__ = ["PromptTemplate", "available_prompts", "load_prompt", "render_prompt"]

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_ROLE_MARKER = re.compile(r"^<!--\s*role:\s*(system|user|assistant)\s*-->\s*$", re.MULTILINE)
_FILE_NAME = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+?)\.v(?P<version>\d+)\.md$")


@dataclass(frozen=True)
class PromptTemplate:
    """One versioned prompt template.

    Args:
        name: the template's name, e.g. ``"repair"`` (file ``prompts/repair.v1.md``).
        version: its version number.
        sections: ``(role, text)`` pairs in order.
    """

    name: str
    version: int
    sections: tuple[tuple[str, str], ...]

    @property
    def id(self) -> str:
        """``name.vN``, the identifier recorded with rendered prompts."""
        return f"{self.name}.v{self.version}"

    @property
    def variables(self) -> frozenset[str]:
        """Every variable the template uses."""
        return frozenset(v for _, text in self.sections for v in _VARIABLE.findall(text))

    def render(self, variables: Mapping[str, object]) -> list[ChatMessage]:
        """Render every section with ``variables`` (each converted with ``str``).

        Raises:
            UsageError: a variable the template needs is missing, or one it does not use is given.

        Example:
            >>> t = PromptTemplate("t", 1, (("user", "Hi {{who}}"),))
            >>> t.render({"who": "Ann"})[0].content
            'Hi Ann'
        """
        missing = sorted(self.variables - variables.keys())
        if missing:
            raise UsageError(f"prompt {self.id!r}: missing variable {missing[0]!r}")
        unknown = sorted(variables.keys() - self.variables)
        if unknown:
            raise UsageError(
                f"prompt {self.id!r}: unknown variable {unknown[0]!r} "
                f"(the template uses: {', '.join(sorted(self.variables)) or 'none'})"
            )
        return [
            ChatMessage(role, _VARIABLE.sub(lambda m: str(variables[m.group(1)]), text))
            for role, text in self.sections
        ]


def _folder() -> Traversable:
    return resources.files("negotiator").joinpath("prompts")


def _parse(name: str, version: int, text: str) -> PromptTemplate:
    markers = list(_ROLE_MARKER.finditer(text))
    if not markers:
        raise UsageError(
            f"prompt '{name}.v{version}': no role section; open each one with a line such as "
            "'<!-- role: user -->'"
        )
    sections = []
    for i, marker in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        sections.append((marker.group(1), text[marker.end() : end].strip("\n")))
    return PromptTemplate(name, version, tuple(sections))


def available_prompts() -> dict[str, tuple[int, ...]]:
    """Return every shipped template name with its available versions (ascending)."""
    found: dict[str, list[int]] = {}
    for entry in _folder().iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.setdefault(match["name"], []).append(int(match["version"]))
    return {name: tuple(sorted(v)) for name, v in sorted(found.items())}


@cache
def load_prompt(name: str, version: int | None = None) -> PromptTemplate:
    """Load template ``name`` at ``version`` (default: the highest shipped version).

    Raises:
        UsageError: no such template or version (the message lists what exists).

    Example:
        >>> load_prompt("repair").id
        'repair.v1'
    """
    versions = available_prompts().get(name)
    if not versions:
        known = ", ".join(available_prompts()) or "none"
        raise UsageError(f"unknown prompt {name!r}; shipped prompts: {known}")
    chosen = versions[-1] if version is None else version
    if chosen not in versions:
        raise UsageError(
            f"prompt {name!r} has no version {chosen}; versions: {', '.join(map(str, versions))}"
        )
    text = _folder().joinpath(f"{name}.v{chosen}.md").read_text(encoding="utf-8")
    return _parse(name, chosen, text)


def render_prompt(
    name: str, variables: Mapping[str, object], version: int | None = None
) -> list[ChatMessage]:
    """Load template ``name`` and render it with ``variables``.

    Raises:
        UsageError: unknown template or version, or a missing or unknown variable.

    Example:
        >>> render_prompt("repair", {"problems": "$.x: bad"})[0].role
        'user'
    """
    return load_prompt(name, version).render(variables)
