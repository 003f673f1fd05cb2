"""Swap stock DockerOperator imports for ours, leaving every other byte of a file alone.

The migration is one import per file, so the rewrite touches import statements and,
only where a module object is used for more than the operator, the attribute
expressions that name the operator. libcst keeps comments, blank lines, quotes and
line endings, so a reviewer's diff shows exactly the lines that changed.

What changes:

* `from airflow.providers.docker.operators.docker import DockerOperator [as X]` (and
  the Airflow 1.10 path `airflow.operators.docker_operator`) imports it from
  `k8s_volume_ops`; other names of the same statement (`Mount`, `fetch_logs`) stay
  on the stock import and ours goes on a new line below it.
* `import airflow.providers.docker.operators.docker as d` (or `from
  airflow.providers.docker.operators import docker`) binds `k8s_volume_ops` instead
  when `d` is used only for `d.DockerOperator`; otherwise the stock import stays,
  `import k8s_volume_ops` is added and each `d.DockerOperator` is rewritten.
* `from ... import *` gets `from k8s_volume_ops import DockerOperator` below it.

What does not change, on purpose: `volumes=` and `mounts=` arguments. Our operator
reads `volumes=` `-v` strings (removed from the stock operator in provider 2.0.0),
`Mount` objects, Mount-kwargs dicts and `-v` strings inside `mounts=`, so no
argument the stock operator accepted, or used to accept, needs rewriting; they are
reported as notes. `@task.docker` has no counterpart of ours and is reported too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ..errors import SpecError
from ._collect import OURS, STOCK_MODULES, Collector, Plan

__all__ = ["OURS", "STOCK_MODULES", "RewriteResult", "rewrite_source"]


@dataclass
class RewriteResult:
    """The new source (bytes, same encoding and line endings) and what was done."""

    code: bytes
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changed: bool = False


class _Rewriter(cst.CSTTransformer):
    """Apply a `Plan` to the very nodes the collector saw."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.BaseSmallStatement:
        if original_node in self.plan.replace_statement:
            return self.plan.replace_statement[original_node]
        if original_node in self.plan.rename_module:
            return updated_node.with_changes(module=cst.Name(OURS))
        dropped = self.plan.drop_aliases.get(original_node)
        if dropped is None or isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        assert not isinstance(original_node.names, cst.ImportStar)
        keep = [
            new
            for old, new in zip(original_node.names, updated_node.names, strict=True)
            if old not in dropped
        ]
        keep[-1] = keep[-1].with_changes(comma=updated_node.names[-1].comma)
        return updated_node.with_changes(names=keep)

    def leave_ImportAlias(
        self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias
    ) -> cst.ImportAlias:
        if original_node in self.plan.rebind:
            return updated_node.with_changes(name=cst.Name(OURS))
        return updated_node

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if original_node in self.plan.usages:
            return updated_node.with_changes(value=cst.Name(OURS))
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        extra = self.plan.insert_after.get(original_node)
        if not extra:
            return updated_node
        return cst.FlattenSentinel([updated_node, *extra])


def _syntax_error(source: bytes, origin: str, exc: cst.ParserSyntaxError) -> SpecError:
    """Python's own message when it agrees the file is broken (it is what Airflow shows)."""
    try:
        compile(source, origin or "<dag>", "exec", dont_inherit=True)
    except SyntaxError as python:
        return SpecError(f"cannot parse line {python.lineno}: {python.msg}", origin=origin)
    except ValueError:  # e.g. null bytes
        pass
    return SpecError(
        f"cannot parse line {exc.raw_line}, column {exc.raw_column + 1} (libcst: {exc.message})",
        origin=origin,
    )


def _decode_error(source: bytes, origin: str, exc: UnicodeDecodeError) -> SpecError:
    """libcst decodes as Python does (a coding declaration, else UTF-8); a file it cannot
    decode does not import either, and the byte's line is what the user must fix."""
    line = source[: exc.start].count(b"\n") + 1
    return SpecError(
        f"cannot decode line {line} as {exc.encoding} ({exc.reason} at byte "
        f"{source[exc.start : exc.start + 1]!r}); Python cannot import it either",
        origin=origin,
        hint="save the file as UTF-8, or declare its encoding on line 1 or 2 "
        "(# -*- coding: latin-1 -*-)",
    )


def rewrite_source(source: bytes, origin: str = "") -> RewriteResult:
    """Rewrite one file's source; a file that does not parse raises `SpecError`."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise _syntax_error(source, origin, exc) from exc
    except UnicodeDecodeError as exc:
        raise _decode_error(source, origin, exc) from exc
    wrapper = cst.MetadataWrapper(module)
    collector = Collector()
    wrapper.visit(collector)
    plan = collector.plan
    new = wrapper.module.visit(_Rewriter(plan))
    code = new.bytes
    return RewriteResult(code, plan.changes, plan.notes, changed=code != source)
