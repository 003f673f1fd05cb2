"""Quote compose inputs as the file writes them.

A problem or a note quotes the input it is about, but by then the input has been
interpolated and its relative paths made absolute, YAML has read `mode: 0440` as
288, and Python's repr would double every backslash of `\\\\.\\pipe\\x`. So the loader
keeps each YAML node with what it became (`Written`), and `quote_problem` and
`quote_note` put the file's text back, one line, with what interpolation or path
resolution made of each changed string beside it::

    services.a.volumes[0]: {type: bind, source: ./data, target: /d} (resolved: source
    '/srv/app/data'): ...

Credential mount options stay redacted (`_redact`), even when the file spells them out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._redact import CREDENTIAL_OPTIONS, REDACTED, redact_options, redact_quoted
from ..errors import VolumeOpsError

__all__ = ["AsWritten", "Written", "index_nodes", "quote_note", "quote_problem"]

Node = Any  # a yaml.Node; read by its `id` ("scalar", "sequence", "mapping") so that
# this module does not import yaml, which the CLI loads only when it reads a file
Change = tuple[str, str, str, str]  # how, where (below the quoted node), as written, now


@dataclass(frozen=True)
class AsWritten:
    """An input as the file writes it, and what became of the strings that changed:
    `'${DATA}:/u' (interpolated: ':/u')`."""

    text: str
    changes: tuple[Change, ...] = ()

    def __repr__(self) -> str:
        if not self.changes:
            return self.text
        shown = ", ".join(
            f"{how}: {where + ' ' if where else ''}{now}" for how, where, _, now in self.changes
        )
        return f"{self.text} ({shown})"


@dataclass(frozen=True)
class Written:
    """The compose file's nodes by origin (`services.a.volumes[0]`), each with the value
    it has after loading and the text of its file (an included file has its own);
    `interpolated` is `Interpolator.written`."""

    nodes: Mapping[str, tuple[Node, object, str]] = field(default_factory=dict)
    interpolated: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def merged(self, other: Written) -> Written:
        """Both files' nodes; this one's win where both have an origin."""
        return Written({**other.nodes, **self.nodes}, {**other.interpolated, **self.interpolated})

    def quote(self, origin: str) -> AsWritten | None:
        """The input at `origin` as written, or None if the file has no such node."""
        found = self.nodes.get(origin)
        if found is None:
            return None
        node, value, source = found
        key = origin.rpartition(".")[2]
        if node.id == "scalar" and isinstance(value, str):
            text = _secret(key, node.value, _quoted)
        else:
            text = _flow(node, source, key)
        return AsWritten(text, tuple(self._changes(node, value, origin, "")))

    def is_value(self, origin: str, spec: object) -> bool:
        """Whether a problem's `spec` is the input at `origin` (as parsers quote it)."""
        value = self.nodes[origin][1]
        candidates: list[object] = [value, repr(value)]
        if isinstance(value, Mapping):
            plain = dict(value)
            candidates += [plain, repr(plain), redact_quoted(plain), repr(redact_quoted(plain))]
        return any(spec == candidate for candidate in candidates)

    def _changes(self, node: Node, value: object, origin: str, where: str) -> Iterator[Change]:
        for child, item, child_origin, child_where in _pairs(node, value, origin, where):
            yield from self._changes(child, item, child_origin, child_where)
        if node.id != "scalar" or not isinstance(value, str) or value == node.value:
            return
        interpolated = self.interpolated.get(origin)
        hows = ["interpolated"] if interpolated else []
        if (interpolated[1] if interpolated else node.value) != value:
            hows.append("resolved")
        key = (where or origin).rpartition(".")[2]
        yield (
            " and ".join(hows),
            where,
            _secret(key, node.value, _quoted),
            _secret(key, value, _quoted),
        )


def index_nodes(root: Node, value: object, source: str) -> dict[str, tuple[Node, object, str]]:
    """Every node under `root` by origin, with the matching part of `value` (the loaded
    document) and `source`, the file's text; keys the file does not have (added by
    loading) are left out."""
    found: dict[str, tuple[Node, object, str]] = {}
    stack = [(root, value, "")]
    while stack:
        node, item, where = stack.pop()
        if where:
            found[where] = (node, item, source)
        stack += [(n, v, o) for n, v, o, _ in _pairs(node, item, where, "")]
    return found


def _pairs(
    node: Node, value: object, origin: str, where: str
) -> Iterator[tuple[Node, object, str, str]]:
    """(child node, child value, its origin, its path below the quoted node)."""
    if node.id == "mapping" and isinstance(value, Mapping):
        for key, item in value.items():
            child = _child(node, str(key))
            if child is not None:
                yield child, item, f"{origin}.{key}" if origin else str(key), _join(where, key)
    elif node.id == "sequence" and isinstance(value, list):
        for i, (child, item) in enumerate(zip(node.value, value, strict=False)):
            yield child, item, f"{origin}[{i}]", f"{where}[{i}]"


def _join(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


def _child(node: Node, key: str) -> Node | None:
    """The value node of `key`; the last one wins, as when YAML is loaded (merge keys
    `<<` are already expanded in place by loading)."""
    for key_node, value_node in reversed(node.value):
        if key_node.id == "scalar" and key_node.value == key:
            return value_node
    return None


def _flow(node: Node, source: str, key: str) -> str:
    """A node on one line in YAML flow style, each scalar as the file spells it."""
    if node.id == "mapping":
        pairs = (f"{_flow(k, source, '')}: {_flow(v, source, str(k.value))}" for k, v in node.value)
        return "{" + ", ".join(pairs) + "}"
    if node.id == "sequence":
        return "[" + ", ".join(_flow(item, source, key) for item in node.value) + "]"
    if key.lower() == "o" or key.lower() in CREDENTIAL_OPTIONS:
        return _secret(key, str(node.value), _quoted)
    spelled = source[node.start_mark.index : node.end_mark.index]
    if not spelled or "\n" in spelled or spelled.strip() != spelled:
        spelled = _quoted(str(node.value))
    return spelled


def _secret(key: str, text: str, show: Any) -> str:
    """`text` shown by `show`, unless it is the value of a credential option."""
    name = key.lower()
    if name in CREDENTIAL_OPTIONS:
        return REDACTED
    return str(show(redact_options(text) if name == "o" else text))


def _quoted(text: str) -> str:
    """A string in quotes, backslashes as written (repr would double them); only
    characters that cannot be printed are escaped."""
    quote = '"' if "'" in text and '"' not in text else "'"
    body = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return f"{quote}{body}{quote}"


def quote_problem(problem: VolumeOpsError, written: Written) -> VolumeOpsError:
    """`problem` quoting its input as the file writes it (see the module docstring).

    A problem whose spec is not the input at its origin keeps its spec; when that
    input changed on loading, the reason says how the file wrote the changed parts.
    """
    origin = problem.origin.rpartition(" -> ")[2]
    quoted = written.quote(origin) if problem.origin else None
    if quoted is None:
        return problem
    spec, reason = problem.spec, problem.reason
    if written.is_value(origin, spec):
        if repr(quoted) == repr(spec):
            return problem  # the file writes it as it is shown: keep the spec itself
        spec = quoted
    else:
        shown = str(spec) if spec is not None else ""
        inner = [
            f"{where + ' ' if where else ''}{as_written}"
            for _, where, as_written, now in quoted.changes
            if now in shown
        ]
        if not inner:
            return problem
        reason += f" (as written in the file: {', '.join(inner)})"
    clone = type(problem)(reason, spec=spec, origin=problem.origin, hint=problem.hint)
    clone.__cause__ = problem.__cause__
    return clone


def quote_note(note: str, written: Written) -> str:
    """A note that quotes an input after its origin (`<origin> <repr>: ...` or
    `<origin>: <repr>: ...`), with the input as written."""
    for at, char in enumerate(note):
        if char != " ":
            continue
        origin = note[:at].removesuffix(":").rpartition(" -> ")[2]
        if origin not in written.nodes:
            continue
        for text in _reprs(written.nodes[origin][1]):
            if note.startswith(text, at + 1):
                return f"{note[: at + 1]}{written.quote(origin)!r}{note[at + 1 + len(text) :]}"
    return note


def _reprs(value: object) -> list[str]:
    """How a note may show a loaded input: its repr, or the repr of a parser's `raw`."""
    texts = [repr(value), repr(repr(value))]
    if isinstance(value, Mapping):
        texts += [repr(repr(dict(value))), repr(repr(redact_quoted(dict(value))))]
    return texts
