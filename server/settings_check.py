"""Validating settings one key at a time: strict types, ranges, known rule ids.

Every key is checked on its own, so one bad value costs only that key: the others in its
section still apply, and the bad one keeps the value of the layer below. Each problem is one
line naming the key as the user wrote it (``gate.targetPrecision`` or
``gate.target_precision``), the value, and what was expected. Types are strict: ``"false"``
is not a boolean, a string is not a list of strings, ``True`` is not a number.

Conversion goes through cattrs with strict hooks for the scalar types (cattrs would
otherwise call ``bool("false")`` and ``tuple("abc")``); ranges and per-key checks come from
the dataclass field's ``metadata`` (see :func:`bounded` and :func:`checked`).
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import functools
import json
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import cattrs

# A check on a structured value: the value to use (its valid entries) and one problem text per
# entry dropped (without the key name).
Check = Callable[[Any], tuple[Any, list[str]]]

SEVERITIES = ("info", "warning", "error")
EDITOR_SEVERITIES = ("hint", "information", "warning", "error")


@dataclass(frozen=True)
class Bounds:
    """A numeric range; ``high_open`` excludes the upper bound."""

    low: float | None = None
    high: float | None = None
    high_open: bool = False

    def contains(self, value: float) -> bool:
        too_low = self.low is not None and value < self.low
        too_high = self.high is not None and (
            value >= self.high if self.high_open else value > self.high
        )
        return not (too_low or too_high)

    def describe(self) -> str:
        if self.high is None:
            return f"at least {_num(self.low)}"
        if self.low is None:
            return f"at most {_num(self.high)}"
        if self.high_open:
            return f"at least {_num(self.low)} and below {_num(self.high)}"
        return f"from {_num(self.low)} to {_num(self.high)}"


def bounded(
    default: Any, *, low: float | None = None, high: float | None = None, high_open: bool = False
) -> Any:
    """A dataclass field whose value must lie in a range."""
    return dataclasses.field(default=default, metadata={"bounds": Bounds(low, high, high_open)})


def checked(check: Check, *, factory: Callable[[], Any] | None = None, default: Any = None) -> Any:
    """A dataclass field with an extra check on its structured value."""
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata={"check": check})
    return dataclasses.field(default=default, metadata={"check": check})


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _num(value: float | None) -> str:
    return f"{value:g}" if value is not None else "?"


def _show(value: Any) -> str:
    """A value as the user wrote it (JSON), cut short."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_type(hint: Any) -> str:
    """What a value of ``hint`` looks like, in the user's (JSON) terms."""
    origin = typing.get_origin(hint)
    if origin is tuple:
        return "a list of strings"
    if origin is dict:
        return "an object of strings"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(
        hint, getattr(hint, "__name__", str(hint))
    )


def _strict(kind: type, accepts: Callable[[Any], bool]) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _: Any) -> Any:
        if not accepts(value):
            raise TypeError(describe_type(kind))
        return kind(value)

    return structure


@functools.cache
def _strict_converter() -> cattrs.Converter:
    """Built on first use (a settings file to read): importing cattrs is ~15 ms of a start."""
    import cattrs

    converter = cattrs.Converter()
    converter.register_structure_hook(bool, _strict(bool, lambda v: isinstance(v, bool)))
    converter.register_structure_hook(
        int,
        _strict(
            int,
            lambda v: (
                not isinstance(v, bool)
                and (isinstance(v, int) or (isinstance(v, float) and v.is_integer()))
            ),
        ),
    )
    converter.register_structure_hook(
        float, _strict(float, lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    )
    converter.register_structure_hook(str, _strict(str, lambda v: isinstance(v, str)))
    return converter


def check_value(
    key: str, value: Any, field: dataclasses.Field[Any], hint: Any
) -> tuple[Any, list[str]]:
    """``value`` structured as ``field``'s type (``None`` when unusable), and problem lines naming ``key``."""
    origin = typing.get_origin(hint)
    expected = describe_type(hint)
    # A string is iterable, so cattrs would make "abc" the list ["a", "b", "c"].
    wrong_shape = (origin is tuple and not isinstance(value, list | tuple)) or (
        origin is dict and not isinstance(value, dict)
    )
    structured: Any = None
    if not wrong_shape:
        try:
            structured = _strict_converter().structure(value, hint)
        except Exception:
            wrong_shape = True
    bounds = field.metadata.get("bounds")
    if bounds is not None:
        expected += " " + bounds.describe()
    if wrong_shape or (bounds is not None and not bounds.contains(structured)):
        return None, [f"tactful setting {key}: expected {expected}, got {_show(value)}"]
    check = field.metadata.get("check")
    if check is None:
        return structured, []
    structured, problems = check(structured)
    return structured, [f"tactful setting {key}: {p}; ignored" for p in problems]


def section_from_dict(section: str, data: dict[str, Any], base: Any) -> tuple[Any, list[str]]:
    """``base`` (a settings dataclass) with each valid key of ``data`` applied; one problem per bad key."""
    cls = type(base)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    by_key = {camel(name): name for name in fields} | {name: name for name in fields}
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    errors: list[str] = []
    for key, value in data.items():
        shown = f"{section}.{key}"
        name = by_key.get(key) if isinstance(key, str) else None
        if name is None:
            errors.append(f"unknown tactful setting {shown}{_close(key, by_key)}")
            continue
        structured, problems = check_value(shown, value, fields[name], hints[name])
        if structured is None:
            kept = _show(_json(getattr(base, name)))
            errors.extend(f"{p}; kept {kept}" for p in problems)
        else:
            errors.extend(problems)
            values[name] = structured
    return dataclasses.replace(base, **values), errors


def _json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _close(word: Any, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.75)
    return f" (did you mean {match[0]}?)" if match else ""


# -- per-key checks ---------------------------------------------------------------------------


def known_rule_ids() -> list[str]:
    """Every rule id a finding can carry: the checks, the call graph, the model's categories."""
    # Imported here: deciding whether a setting is valid should not load tree-sitter up front.
    from tactful.analyzers.callgraph import CALLGRAPH_RULES
    from tactful.analyzers.checks import RULES
    from tactful.server.llm.parse import CATEGORIES

    return [*RULES, *CALLGRAPH_RULES, *(f"llm.{c}" for c in CATEGORIES)]


def unknown_rule(pattern: str, known: list[str]) -> str:
    """Why ``pattern`` (a rule id or glob) names no rule, with the closest id as a hint; '' if it does."""
    if any(fnmatch.fnmatchcase(rule, pattern) for rule in known):
        return ""
    hint = _close(pattern, known) or " (`tactful rules` lists them)"
    return f"{_show(pattern)} matches no rule{hint}"


def check_rule_list(value: tuple[str, ...]) -> tuple[Any, list[str]]:
    known = known_rule_ids()
    problems = [p for pattern in value if (p := unknown_rule(pattern, known))]
    return tuple(p for p in value if not unknown_rule(p, known)), problems


def check_rule_severities(value: dict[str, str]) -> tuple[Any, list[str]]:
    known = known_rule_ids()
    kept: dict[str, str] = {}
    problems = []
    for rule, severity in value.items():
        if problem := unknown_rule(rule, known):
            problems.append(problem)
        elif severity.lower() not in SEVERITIES:
            problems.append(f"{_show(rule)}: expected {_one_of(SEVERITIES)}, got {_show(severity)}")
        else:
            kept[rule] = severity.lower()
    return kept, problems


def check_severity_map(value: dict[str, str]) -> tuple[Any, list[str]]:
    kept: dict[str, str] = {}
    problems = []
    for ours, theirs in value.items():
        if ours.lower() not in SEVERITIES:
            problems.append(f"expected a key {_one_of(SEVERITIES)}, got {_show(ours)}")
        elif theirs.lower() not in EDITOR_SEVERITIES:
            problems.append(
                f"{_show(ours)}: expected {_one_of(EDITOR_SEVERITIES)}, got {_show(theirs)}"
            )
        else:
            kept[ours] = theirs
    return kept, problems


def _one_of(choices: Iterable[str]) -> str:
    return "one of " + ", ".join(choices)
