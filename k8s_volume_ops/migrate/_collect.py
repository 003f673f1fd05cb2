"""Find what to rewrite: stock imports, module bindings, operator usages, notes.

The collector only looks; `rewrite._Rewriter` applies its `Plan` to the very nodes
it saw. Qualified names (libcst metadata) resolve every spelling of the stock
operator, aliases and module attributes included, and the scope metadata tells
whether a module alias is used for anything but the operator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedNameProvider, ScopeProvider

__all__ = ["OPERATOR", "OURS", "STOCK_MODULES", "Collector", "Plan"]

OURS = "k8s_volume_ops"
OPERATOR = "DockerOperator"
STOCK_MODULES = ("airflow.providers.docker.operators.docker", "airflow.operators.docker_operator")
_STOCK_OPERATORS = {f"{module}.{OPERATOR}" for module in STOCK_MODULES}
_TASK_DOCKER = {
    "airflow.sdk.task.docker",
    "airflow.decorators.task.docker",
    "airflow.providers.docker.decorators.docker.docker_task",
}
_SWARM = "airflow.providers.docker.operators.docker_swarm"


def _dotted(node: cst.BaseExpression | None) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _alias_binding(alias: cst.ImportAlias) -> str:
    """The local name an import alias binds (`import a.b` binds the dotted name)."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return _dotted(alias.name)


def _moved_comment(alias: cst.ImportAlias) -> cst.Comment | None:
    """A comment written after `DockerOperator,` in a parenthesized import."""
    comma = alias.comma
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return comma.whitespace_after.first_line.comment
    return None


def _import_line(code: str, comment: cst.Comment | None) -> cst.SimpleStatementLine:
    line = cst.parse_statement(code + "\n")
    assert isinstance(line, cst.SimpleStatementLine)
    if comment is not None:
        trailing = cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=comment)
        line = line.with_changes(trailing_whitespace=trailing)
    return line


def _ours_alias(alias: cst.ImportAlias) -> str:
    """`DockerOperator` or `DockerOperator as X`, for our import line."""
    bound = _alias_binding(alias)
    return OPERATOR if bound == OPERATOR else f"{OPERATOR} as {bound}"


@dataclass
class Plan:
    """Edits found by the collector, keyed by the original nodes."""

    rename_module: set[cst.ImportFrom] = field(default_factory=set)
    drop_aliases: dict[cst.ImportFrom, list[cst.ImportAlias]] = field(default_factory=dict)
    rebind: set[cst.ImportAlias] = field(default_factory=set)
    replace_statement: dict[cst.ImportFrom, cst.BaseSmallStatement] = field(default_factory=dict)
    usages: set[cst.Attribute] = field(default_factory=set)
    insert_after: dict[cst.SimpleStatementLine, list[cst.SimpleStatementLine]] = field(
        default_factory=dict
    )
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Collector(cst.CSTVisitor):
    """Find stock imports, module bindings, operator usages and things to report."""

    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ScopeProvider)

    def __init__(self) -> None:
        super().__init__()
        self.plan = Plan()
        self._lines: list[cst.SimpleStatementLine] = []
        self._bindings: list[tuple[cst.SimpleStatementLine, cst.ImportAlias, cst.CSTNode]] = []
        self._has_ours_operator = False
        self._has_ours_module = False
        self._stars: list[cst.SimpleStatementLine] = []

    # -- helpers -----------------------------------------------------------------------
    def _line(self, node: cst.CSTNode) -> int:
        return int(self.get_metadata(PositionProvider, node).start.line)

    def _qualified(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def _add_after(self, line: cst.SimpleStatementLine, new: cst.SimpleStatementLine) -> None:
        self.plan.insert_after.setdefault(line, []).append(new)

    # -- visits ------------------------------------------------------------------------
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._lines.append(node)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self._lines.pop()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = _dotted(alias.name)
            if name in STOCK_MODULES:
                self._bindings.append((self._lines[-1], alias, node))
            elif name == OURS and alias.asname is None:
                self._has_ours_module = True

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative:
            return
        module = _dotted(node.module)
        if module == _SWARM:
            self.plan.notes.append(
                f"line {self._line(node)}: DockerSwarmOperator is not migrated: k8s-volume-ops "
                "has no Swarm counterpart"
            )
        if isinstance(node.names, cst.ImportStar):
            if module in STOCK_MODULES:
                self._stars.append(self._lines[-1])
            return
        if module == OURS:
            self._has_ours_operator |= any(_dotted(a.name) == OPERATOR for a in node.names)
        elif module in STOCK_MODULES:
            self._from_stock(node, module)
        else:
            for alias in node.names:
                if f"{module}.{_dotted(alias.name)}" in STOCK_MODULES:
                    self._bindings.append((self._lines[-1], alias, node))

    def _from_stock(self, node: cst.ImportFrom, module: str) -> None:
        assert not isinstance(node.names, cst.ImportStar)
        ours = [a for a in node.names if _dotted(a.name) == OPERATOR]
        if not ours:
            return
        line = self._line(node)
        if len(ours) == len(node.names):
            self.plan.rename_module.add(node)
            self.plan.changes.append(f"line {line}: {OPERATOR} is imported from {OURS}")
            return
        self.plan.drop_aliases[node] = ours
        for alias in ours:
            new = _import_line(f"from {OURS} import {_ours_alias(alias)}", _moved_comment(alias))
            self._add_after(self._lines[-1], new)
        self.plan.changes.append(
            f"line {line}: {OPERATOR} is imported from {OURS}; the other names stay on {module}"
        )

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == OPERATOR and self._qualified(node) & _STOCK_OPERATORS:
            self.plan.usages.add(node)

    def visit_Decorator(self, node: cst.Decorator) -> None:
        target = node.decorator
        target = target.func if isinstance(target, cst.Call) else target
        if self._qualified(target) & _TASK_DOCKER or _dotted(target) == "task.docker":
            self.plan.notes.append(
                f"line {self._line(node)}: @task.docker is kept: k8s-volume-ops has no decorator, "
                "so this task still needs a Docker daemon; to run it as a pod, use "
                "@task.kubernetes (cncf.kubernetes provider) or a DockerOperator with an "
                "explicit command"
            )

    def visit_Call(self, node: cst.Call) -> None:
        if not self._qualified(node.func) & _STOCK_OPERATORS:
            return
        for arg in node.args:
            keyword = arg.keyword.value if arg.keyword else None
            if keyword == "volumes":
                self.plan.notes.append(
                    f"line {self._line(arg)}: volumes= is kept: k8s-volume-ops reads its `-v` "
                    "strings (the stock operator refuses volumes= since provider 2.0.0)"
                )
            elif keyword == "mounts" and _has_strings(arg.value):
                self.plan.notes.append(
                    f"line {self._line(arg)}: `-v` strings in mounts= are kept: k8s-volume-ops "
                    "reads them (the stock operator fails on them in execute())"
                )

    # -- decisions once the whole module is seen ------------------------------------------
    def leave_Module(self, original_node: cst.Module) -> None:
        """Decide while metadata is still available (it is dropped after the visit)."""
        self._finish()

    def _finish(self) -> None:
        """Decide, for each module binding, whether to rebind it or rewrite its usages."""
        needs_module: cst.SimpleStatementLine | None = None
        referenced: set[cst.Attribute] = set()
        rebound: set[cst.Attribute] = set()
        for line, alias, statement in self._bindings:
            usages = [u for u in self.plan.usages if _dotted(u.value) == _alias_binding(alias)]
            if not usages:
                continue
            keep_import = alias.asname is None and isinstance(statement, cst.Import)
            if not keep_import and self._only_operator(alias, usages):  # `import a.b` binds `a`
                self._rebind(line, alias, statement)
                rebound.update(usages)
            else:
                needs_module = needs_module or line
                referenced.update(usages)
        for usage in sorted(self.plan.usages - referenced - rebound, key=self._line):
            self.plan.notes.append(
                f"line {self._line(usage)}: {_dotted(usage)} is not rewritten: no import in this "
                "file binds it; change it to k8s_volume_ops.DockerOperator by hand"
            )
        self.plan.usages = referenced
        self._reference_mode(needs_module)
        if self._stars and not self._has_ours_operator:
            self._add_after(self._stars[0], _import_line(f"from {OURS} import {OPERATOR}", None))
            self.plan.changes.append(
                f"line {self._line(self._stars[0])}: {OPERATOR} from {OURS} now overrides the "
                "star import"
            )

    def _only_operator(self, alias: cst.ImportAlias, usages: list[cst.Attribute]) -> bool:
        scope = self.get_metadata(ScopeProvider, alias, None)
        if scope is None:
            return False
        used = {id(u.value) for u in usages}
        references = [
            ref.node
            for assignment in scope.assignments[_alias_binding(alias)]
            for ref in assignment.references
        ]
        return all(id(node) in used for node in references)

    def _rebind(
        self, line: cst.SimpleStatementLine, alias: cst.ImportAlias, statement: cst.CSTNode
    ) -> None:
        bound = _alias_binding(alias)
        where = f"line {self._line(alias)}"
        if isinstance(statement, cst.Import):
            self.plan.rebind.add(alias)
        else:
            assert isinstance(statement, cst.ImportFrom)
            assert not isinstance(statement.names, cst.ImportStar)
            replacement = cst.parse_statement(f"import {OURS} as {bound}\n")
            assert isinstance(replacement, cst.SimpleStatementLine)
            if len(statement.names) == 1:
                self.plan.replace_statement[statement] = replacement.body[0]
            else:
                self.plan.drop_aliases.setdefault(statement, []).append(alias)
                self._add_after(line, replacement)
        self.plan.changes.append(f"{where}: `{bound}` now names {OURS} (used only for {OPERATOR})")

    def _reference_mode(self, line: cst.SimpleStatementLine | None) -> None:
        if line is None or not self.plan.usages:
            return
        if not self._has_ours_module:
            self._add_after(line, _import_line(f"import {OURS}", None))
        for usage in sorted(self.plan.usages, key=self._line):
            self.plan.changes.append(
                f"line {self._line(usage)}: {_dotted(usage)} is now {OURS}.{OPERATOR}"
            )


def _has_strings(value: cst.BaseExpression) -> bool:
    if not isinstance(value, cst.List | cst.Tuple):
        return False
    kinds = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
    return any(isinstance(element.value, kinds) for element in value.elements)
