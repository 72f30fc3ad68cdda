"""Genius XML domains and profiles (the ANAC competition format): read and write.

A Genius folder holds one **domain** file (root ``negotiation_template``) and one **profile**
per party (root ``utility_space``); files are told apart by their root element and profiles are
taken in file-name order.

* Domain: ``utility_space/objective/issue`` elements. A ``discrete`` issue lists
  ``<item value="…"/>``; an ``integer`` or ``real`` issue has ``lowerbound`` / ``upperbound``
  attributes (or a ``<range lowerbound upperbound/>`` child). Real issues are enumerated at
  ``levels`` points for analysis.
* Profile: the same issues, discrete items carrying ``evaluation="…"`` — normalised by the
  issue's largest evaluation, as Genius does — and numeric issues an
  ``<evaluator ftype="linear" slope="…" offset="…"/>`` (``parameter1``/``parameter0`` are
  accepted for slope/offset), i.e. ``u(x) = offset + slope·x``; ``<weight index="…"
  value="…"/>`` per issue (normalised to sum 1); optional ``<reservation value/>`` and
  ``<discount_factor value/>`` (1 or absent: no discount).

Every problem is reported as an :class:`~negotiator.errors.InvalidInputError` naming the file,
the element (e.g. ``issue[name=Food]/item[2]@evaluation``) and the reason. Writing produces files
this reader reads back to the same scenario when every table's largest utility is 1.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from pydantic import ValidationError

from negotiator.bargaining.domains import Scenario
from negotiator.bargaining.issues import (
    AnyIssue,
    CategoricalIssue,
    ContinuousIssue,
    IntegerIssue,
    OutcomeSpace,
)
from negotiator.bargaining.utility import (
    AdditiveUtility,
    LinearValue,
    PiecewiseLinearValue,
    TableValue,
)
from negotiator.errors import InvalidInputError

__all__ = ["read_domain", "read_genius_folder", "read_profile", "write_genius_folder"]

GeniusIssue = CategoricalIssue | IntegerIssue | ContinuousIssue


class _File:
    """Error helper bound to one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, element: str, reason: str) -> InvalidInputError:
        return InvalidInputError.single(f"Genius file {self.path}", element, reason)

    def parse(self, root_tag: str) -> ET.Element:
        try:
            root = ET.parse(self.path).getroot()
        except (ET.ParseError, OSError) as exc:
            raise self.fail("(document)", f"not readable XML: {exc}") from None
        if root.tag != root_tag:
            raise self.fail(root.tag, f"root element must be <{root_tag}>")
        return root

    def number(self, el: ET.Element, attr: str, where: str) -> float:
        raw = el.get(attr)
        if raw is None:
            raise self.fail(f"{where}@{attr}", "attribute missing")
        try:
            return float(raw)
        except ValueError:
            raise self.fail(f"{where}@{attr}", f"{raw!r} is not a number") from None


def _reason(exc: ValueError) -> str:
    """The readable part of a validation error."""
    if isinstance(exc, ValidationError):
        return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
    return str(exc)


def _issue_elements(f: _File, root: ET.Element) -> list[ET.Element]:
    issues = root.findall(".//issue")
    if not issues:
        raise f.fail(f"{root.tag}//issue", "no issue elements")
    return issues


def _bounds(f: _File, el: ET.Element, where: str) -> tuple[float, float]:
    holder = el if el.get("lowerbound") is not None else el.find("range")
    if holder is None:
        raise f.fail(where, "numeric issue needs lowerbound/upperbound")
    return f.number(holder, "lowerbound", where), f.number(holder, "upperbound", where)


def _issue(f: _File, el: ET.Element, levels: int) -> GeniusIssue:
    name = el.get("name")
    where = f"issue[name={name}]" if name else f"issue[index={el.get('index')}]"
    if not name:
        raise f.fail(where, "issue without a name")
    kind = el.get("type") or el.get("etype") or "discrete"
    try:
        if kind == "discrete":
            values = tuple(_item_values(f, el, where))
            return CategoricalIssue(name=name, values=values)
        low, high = _bounds(f, el, where)
        if kind == "integer":
            return IntegerIssue(name=name, low=int(low), high=int(high))
        if kind == "real":
            return ContinuousIssue(name=name, low=low, high=high, levels=levels)
    except ValueError as exc:  # pydantic validation (duplicates, bad bounds)
        raise f.fail(where, _reason(exc)) from None
    raise f.fail(f"{where}@type", f"unknown issue type {kind!r} (discrete, integer, real)")


def _item_values(f: _File, el: ET.Element, where: str) -> list[str]:
    items = el.findall("item")
    if not items:
        raise f.fail(where, "discrete issue without item elements")
    out = []
    for k, item in enumerate(items, 1):
        value = item.get("value")
        if value is None:
            raise f.fail(f"{where}/item[{k}]@value", "attribute missing")
        out.append(value)
    return out


def read_domain(path: Path | str, levels: int = 11) -> OutcomeSpace:
    """Read a Genius domain file (root ``negotiation_template``).

    Raises:
        InvalidInputError: naming the file, the element and the reason.

    Example:
        >>> read_domain("tests/bargaining/data/party/party_domain.xml").size  # doctest: +SKIP
        24
    """
    f = _File(Path(path))
    root = f.parse("negotiation_template")
    issues = [_issue(f, el, levels) for el in _issue_elements(f, root)]
    try:
        return OutcomeSpace(issues=tuple(issues))
    except ValueError as exc:
        raise f.fail("utility_space/objective", _reason(exc)) from None


def _weights(f: _File, root: ET.Element, elements: list[ET.Element]) -> list[float]:
    by_index = {w.get("index"): w for w in root.findall(".//weight")}
    weights = []
    for el in elements:
        w = by_index.get(el.get("index"))
        if w is None:
            raise f.fail(
                f"weight[index={el.get('index')}]", f"no weight for issue {el.get('name')}"
            )
        weights.append(f.number(w, "value", f"weight[index={el.get('index')}]"))
    total = sum(weights)
    if total <= 0 or min(weights) < 0:
        raise f.fail("weight", f"weights must be non-negative with a positive sum, got {weights}")
    return [w / total for w in weights]


def _value_function(f: _File, el: ET.Element, issue: AnyIssue) -> TableValue | PiecewiseLinearValue:
    where = f"issue[name={issue.name}]"
    if isinstance(issue, CategoricalIssue):
        table = {}
        for k, item in enumerate(el.findall("item"), 1):
            table[item.get("value", "")] = f.number(item, "evaluation", f"{where}/item[{k}]")
        missing = [v for v in issue.values if v not in table]
        if missing:
            raise f.fail(where, f"no evaluation for values {missing}")
        top = max(table.values())
        if top <= 0 or min(table.values()) < 0:
            raise f.fail(where, "evaluations must be non-negative with a positive maximum")
        return TableValue(table={v: table[v] / top for v in issue.values})
    ev = el.find("evaluator")
    if ev is None or ev.get("ftype", "linear") != "linear":
        raise f.fail(f"{where}/evaluator", "numeric issue needs <evaluator ftype='linear'>")
    slope_attr, offset_attr = (
        ("slope", "offset") if "slope" in ev.attrib else ("parameter1", "parameter0")
    )
    slope = f.number(ev, slope_attr, f"{where}/evaluator")
    offset = f.number(ev, offset_attr, f"{where}/evaluator")
    low, high = float(issue.low), float(issue.high)
    if high == low:
        raise f.fail(where, "a linear evaluator needs a range wider than one point")
    return PiecewiseLinearValue(points=((low, offset + slope * low), (high, offset + slope * high)))


def read_profile(path: Path | str, space: OutcomeSpace) -> AdditiveUtility:
    """Read a Genius profile (root ``utility_space``) for a domain already read.

    Raises:
        InvalidInputError: naming the file, the element and the reason.
    """
    f = _File(Path(path))
    root = f.parse("utility_space")
    elements = _issue_elements(f, root)
    by_name = {el.get("name"): el for el in elements}
    ordered = []
    for issue in space.issues:
        if issue.name not in by_name:
            raise f.fail(f"issue[name={issue.name}]", "issue of the domain missing from profile")
        ordered.append(by_name[issue.name])
    values = [
        _value_function(f, el, issue) for el, issue in zip(ordered, space.issues, strict=True)
    ]
    reservation = _optional(f, root, "reservation", 0.0)
    discount = _optional(f, root, "discount_factor", 1.0)
    if not 0 < discount <= 1:
        raise f.fail("discount_factor@value", f"{discount} outside (0, 1]")
    return AdditiveUtility(
        weights=tuple(_weights(f, root, ordered)),
        values=tuple(values),
        reservation=reservation,
        discount=None if discount == 1 else discount,
    )


def _optional(f: _File, root: ET.Element, tag: str, default: float) -> float:
    el = root.find(tag)
    return default if el is None else f.number(el, "value", tag)


def read_genius_folder(folder: Path | str, levels: int = 11) -> Scenario:
    """Read a Genius folder: one domain file and two or more profiles (file-name order).

    Raises:
        InvalidInputError: for a missing folder, a missing domain or profile, or a bad file.

    Example:
        >>> read_genius_folder("tests/bargaining/data/party").space.size  # doctest: +SKIP
        24
    """
    root = Path(folder)
    if not root.is_dir():
        raise InvalidInputError.single("Genius folder", str(root), "not a directory")
    domains: list[Path] = []
    profiles: list[Path] = []
    for path in sorted(root.glob("*.xml")):
        tag = _peek(path)
        (domains if tag == "negotiation_template" else profiles).append(path)
    if len(domains) != 1 or len(profiles) < 2:
        raise InvalidInputError.single(
            "Genius folder",
            str(root),
            f"need one domain and two or more profiles, found {len(domains)} and {len(profiles)}",
        )
    space = read_domain(domains[0], levels)
    utilities = tuple(read_profile(p, space) for p in profiles)
    return Scenario(name=root.name, space=space, utilities=utilities)


def _peek(path: Path) -> str:
    try:
        tag = ET.parse(path).getroot().tag
    except (ET.ParseError, OSError) as exc:
        raise _File(path).fail("(document)", f"not readable XML: {exc}") from None
    if tag not in ("negotiation_template", "utility_space"):
        raise _File(path).fail(tag, "root must be <negotiation_template> or <utility_space>")
    return tag


def _issue_xml(parent: ET.Element, k: int, issue: AnyIssue) -> ET.Element:
    kinds = {CategoricalIssue: "discrete", IntegerIssue: "integer", ContinuousIssue: "real"}
    kind = kinds[type(issue)]
    el = ET.SubElement(
        parent, "issue", index=str(k), name=issue.name, etype=kind, type=kind, vtype=kind
    )
    if isinstance(issue, CategoricalIssue):
        for j, v in enumerate(issue.values, 1):
            ET.SubElement(el, "item", index=str(j), value=v)
    else:
        el.set("lowerbound", repr(issue.low))
        el.set("upperbound", repr(issue.high))
    return el


def _profile_xml(space: OutcomeSpace, u: AdditiveUtility, where: str) -> ET.Element:
    root = ET.Element("utility_space", number_of_issues=str(len(space.issues)))
    obj = ET.SubElement(
        root, "objective", index="0", name="root", etype="objective", type="objective"
    )
    for k, (issue, vf) in enumerate(zip(space.issues, u.values, strict=True), 1):
        el = _issue_xml(obj, k, issue)
        if isinstance(vf, TableValue) and isinstance(issue, CategoricalIssue):
            for item in el.findall("item"):
                item.set("evaluation", repr(vf.table[item.get("value", "")]))
        elif not isinstance(issue, CategoricalIssue) and _linear(vf) is not None:
            slope, offset = _linear(vf) or (0.0, 0.0)
            ET.SubElement(el, "evaluator", ftype="linear", slope=repr(slope), offset=repr(offset))
        else:
            raise InvalidInputError.single(
                "Genius export", f"{where}.values[{k - 1}]", f"{vf.kind} has no Genius form here"
            )
    for k, w in enumerate(u.weights, 1):
        ET.SubElement(obj, "weight", index=str(k), value=repr(w))
    ET.SubElement(root, "reservation", value=repr(u.reservation))
    ET.SubElement(root, "discount_factor", value=repr(u.discount or 1.0))
    return root


def _linear(vf: object) -> tuple[float, float] | None:
    """``(slope, offset)`` of a linear value function, None if it is not one."""
    if isinstance(vf, LinearValue):
        slope = (1 if vf.increasing else -1) / (vf.high - vf.low)
        return slope, (-vf.low * slope if vf.increasing else vf.high / (vf.high - vf.low))
    if isinstance(vf, PiecewiseLinearValue) and len(vf.points) == 2:
        (x0, y0), (x1, y1) = vf.points
        slope = (y1 - y0) / (x1 - x0)
        return slope, y0 - slope * x0
    return None


def write_genius_folder(scenario: Scenario, folder: Path | str) -> list[Path]:
    """Write ``<name>_domain.xml`` and ``<name>_profile_<k>.xml`` files into ``folder``.

    Raises:
        InvalidInputError: for a value function Genius cannot express (tables and linear only).
    """
    additive = [u for u in scenario.utilities if isinstance(u, AdditiveUtility)]
    kinds = {"categorical", "integer", "continuous"}
    if len(additive) != len(scenario.utilities) or any(
        i.kind not in kinds for i in scenario.space.issues
    ):
        raise InvalidInputError.single(
            "Genius export", "$", "item splits and points utilities have no Genius form"
        )
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    template = ET.Element("negotiation_template")
    space_el = ET.SubElement(
        template, "utility_space", number_of_issues=str(len(scenario.space.issues))
    )
    obj = ET.SubElement(
        space_el, "objective", index="0", name="root", etype="objective", type="objective"
    )
    for k, issue in enumerate(scenario.space.issues, 1):
        _issue_xml(obj, k, issue)
    files = [(out / f"{scenario.name}_domain.xml", template)]
    for p, u in enumerate(additive, 1):
        files.append(
            (
                out / f"{scenario.name}_profile_{p}.xml",
                _profile_xml(scenario.space, u, f"$.utilities[{p - 1}]"),
            )
        )
    for path, el in files:
        ET.indent(el)
        ET.ElementTree(el).write(path, encoding="utf-8", xml_declaration=True)
    return [p for p, _ in files]
