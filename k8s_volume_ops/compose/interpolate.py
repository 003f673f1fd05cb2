"""Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
`${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` and `$$`.

The rules are compose-go's (`template/template.go`): defaults may nest further
substitutions, an unset variable without a default becomes the empty string (and is
reported), and a `$` that starts none of these forms is an error, because a typo in
a path is better refused than silently mounted somewhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import SpecError

__all__ = ["Interpolator"]

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


@dataclass
class Interpolator:
    """Substitutes variables from `environ`.

    `unset` collects the names that were missing (and `unset_at` where each was used);
    `written` maps the origin of every string that interpolation changed, such as
    `services.app.volumes[0]`, to the text as written in the file and its value.
    """

    environ: Mapping[str, str]
    unset: set[str] = field(default_factory=set)
    unset_at: dict[str, list[str]] = field(default_factory=dict)
    written: dict[str, tuple[str, str]] = field(default_factory=dict)

    def document(self, value: Any, origin: str) -> Any:
        """Interpolate every string value (not the keys) of a parsed YAML document."""
        if isinstance(value, str):
            result = self.text(value, origin)
            if result != value:
                self.written[origin] = (value, result)
            return result
        if isinstance(value, dict):
            return {
                key: self.document(item, f"{origin}.{key}" if origin else str(key))
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.document(item, f"{origin}[{i}]") for i, item in enumerate(value)]
        return value

    def text(self, text: str, origin: str = "") -> str:
        """Interpolate one string."""
        out: list[str] = []
        i = 0
        while i < len(text):
            dollar = text.find("$", i)
            if dollar < 0:
                out.append(text[i:])
                break
            out.append(text[i:dollar])
            value, i = self._dollar(text, dollar, origin)
            out.append(value)
        return "".join(out)

    def _dollar(self, text: str, at: int, origin: str) -> tuple[str, int]:
        nxt = text[at + 1 : at + 2]
        if nxt == "$":
            return "$", at + 2
        if nxt == "{":
            return self._braced(text, at, origin)
        match = _NAME.match(text, at + 1)
        if match is None:
            raise SpecError(
                "invalid interpolation: '$' must start $NAME or ${NAME} (write $$ for a "
                "literal '$')",
                spec=text,
                origin=origin,
            )
        return self._lookup(match.group(), origin), match.end()

    def _braced(self, text: str, at: int, origin: str) -> tuple[str, int]:
        end = _closing_brace(text, at + 2)
        if end < 0:
            raise SpecError("invalid interpolation: '${' is never closed", spec=text, origin=origin)
        body = text[at + 2 : end]
        match = _NAME.match(body)
        if match is None:
            raise SpecError(f"invalid interpolation ${{{body}}}", spec=text, origin=origin)
        name, rest = match.group(), body[match.end() :]
        if not rest:
            return self._lookup(name, origin), end + 1
        operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
        if operator is None:
            raise SpecError(f"invalid interpolation ${{{body}}}", spec=text, origin=origin)
        word = rest[len(operator) :]
        return self._apply(name, operator, word, text, origin), end + 1

    def _apply(self, name: str, operator: str, word: str, text: str, origin: str) -> str:
        value = self.environ.get(name)
        present = value is not None and (value != "" or ":" not in operator)
        if operator.endswith("-"):
            return value if present and value is not None else self.text(word, origin)
        if operator.endswith("+"):
            return self.text(word, origin) if present else ""
        if not present or value is None:
            message = self.text(word, origin) or "is not set"
            raise SpecError(
                f"required variable {name} is missing a value: {message}", spec=text, origin=origin
            )
        return value

    def _lookup(self, name: str, origin: str) -> str:
        value = self.environ.get(name)
        if value is None:
            self.unset.add(name)
            places = self.unset_at.setdefault(name, [])
            if origin and origin not in places:
                places.append(origin)
            return ""
        return value

    def unset_notes(self) -> list[str]:
        """docker compose's warning for each unset variable, with where it is used."""
        notes = []
        for name in sorted(self.unset):
            places = self.unset_at.get(name, [])
            shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" * (len(places) > 3))
            where = f" (used in {shown})" if places else ""
            notes.append(f"The {name} variable is not set. Defaulting to a blank string.{where}")
        return notes


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing a `${` whose body starts at `start`, nesting included."""
    depth = 0
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1
