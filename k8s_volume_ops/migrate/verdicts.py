"""Scan verdicts: whether each Docker task of a DAG folder can run as a pod today.

`ok` means it translates as it is; `needs-policy` means the only things missing are
storage-policy rules (each problem's `fix:` says which), so the DAG itself needs no
change; `refused` means the DAG must change (or, for a file that no longer imports,
be migrated first). Keeping these three apart lets a team see how much of a
migration is configuration and how much is code.
"""

from __future__ import annotations

import re
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..errors import NeedsPolicyError, VolumeOpsError

__all__ = [
    "ScanRow",
    "Verdict",
    "error_location",
    "import_error_row",
    "one_line",
    "summary_line",
    "table",
    "task_row",
    "verdict_of",
]

Verdict = Literal["ok", "needs-policy", "refused"]

# Import errors that a stock-provider upgrade causes and `migrate` fixes.
_MIGRATE_FIXES = (
    (re.compile(r"Invalid arguments were passed to DockerOperator.*'volumes'", re.S), "volumes="),
    (re.compile(r"Invalid `auto_remove` value (True|False)"), "a boolean auto_remove"),
    (re.compile(r"No module named 'airflow\.operators\.docker_operator'"), "the Airflow 1.10 path"),
)


class RenderedTask(Protocol):
    """What scan needs of `operators.offline.TaskRender`."""

    dag_id: str
    task_id: str
    stock: bool
    problems: list[VolumeOpsError]


@dataclass(frozen=True)
class ScanRow:
    """One line of the scan: a task, or a file that failed to import (task_id None)."""

    file: str
    dag_id: str | None
    task_id: str | None
    verdict: Verdict
    problems: list[str] = field(default_factory=list)
    stock: bool | None = None

    def as_json(self) -> dict[str, Any]:
        """The public JSON shape: exactly file, dag_id, task_id, verdict, problems."""
        return {
            "file": self.file,
            "dag_id": self.dag_id,
            "task_id": self.task_id,
            "verdict": self.verdict,
            "problems": list(self.problems),
        }


def one_line(problem: BaseException | str) -> str:
    """A message on one line (a `fix:` hint joined with a space)."""
    return " ".join(part.strip() for part in str(problem).splitlines() if part.strip())


def verdict_of(problems: Sequence[BaseException]) -> Verdict:
    """ok with no problems; needs-policy when every problem is a missing policy rule."""
    if not problems:
        return "ok"
    if all(isinstance(p, NeedsPolicyError) for p in problems):
        return "needs-policy"
    return "refused"


def task_row(file: str, task: RenderedTask) -> ScanRow:
    """The row of one rendered task."""
    return ScanRow(
        file=file,
        dag_id=task.dag_id,
        task_id=task.task_id,
        verdict=verdict_of(task.problems),
        problems=[one_line(p) for p in task.problems],
        stock=task.stock,
    )


def exception_text(traceback_text: str) -> str:
    """The exception of a formatted traceback, on one line.

    That is what follows the frames of the last `Traceback (...)` block: from the first
    unindented line after it to the end, so that a message spread over several lines
    (indented ones included, as pydantic writes them) is kept whole. Text that is not a
    traceback is returned as it is, on one line.
    """
    lines = traceback_text.rstrip().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (")]
    if starts:
        after = lines[starts[-1] + 1 :]
        first = next((i for i, line in enumerate(after) if line and not line[0].isspace()), None)
        if first is not None:
            lines = after[first:]
    return one_line("\n".join(lines))


_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+)', re.M)
_LIBRARY_DIRS = tuple(
    {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
)


def error_location(traceback_text: str, file: str, loaded: str | None = None) -> str | None:
    """`path:line` of the deepest frame in the user's own code (not `<frozen ...>`,
    the standard library or site-packages): for a SyntaxError, the line that does not
    parse; otherwise the line of the DAG (or of its helper module) that raised. The
    DAG file itself (`loaded`, as Airflow reports it) is spelled as `file`."""
    for path, line in reversed(_FRAME.findall(traceback_text)):
        if path.startswith("<") or path.startswith(_LIBRARY_DIRS):
            continue
        return f"{file if path == loaded else path}:{line}"
    return None


def import_error_row(file: str, traceback_text: str, loaded: str | None = None) -> ScanRow:
    """A file that failed to import: refused, with where (file:line), the error and,
    if known, the fix. `loaded` is the file's path as Airflow reports it."""
    where = error_location(traceback_text, file, loaded)
    message = f"import error{f' at {where}' if where else ''}: {exception_text(traceback_text)}"
    for pattern, cause in _MIGRATE_FIXES:
        if pattern.search(traceback_text):
            message += (
                f" fix: run `k8s-volume-ops migrate`: the k8s-volume-ops DockerOperator "
                f"accepts {cause}"
            )
            break
    return ScanRow(file=file, dag_id=None, task_id=None, verdict="refused", problems=[message])


def _operator(row: ScanRow) -> str:
    return "-" if row.stock is None else ("stock" if row.stock else "ours")


def table(rows: Sequence[ScanRow]) -> str:
    """Columns FILE, TASK, OPERATOR, VERDICT; each problem on its own indented line below."""
    header = ("FILE", "TASK", "OPERATOR", "VERDICT")
    cells = [
        (row.file, f"{row.dag_id}.{row.task_id}" if row.task_id else "-", _operator(row))
        for row in rows
    ]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(3)]

    def line(cell: Sequence[str], last: str) -> str:
        return "  ".join([*(c.ljust(w) for c, w in zip(cell, widths, strict=True)), last])

    lines = [line(header[:3], header[3])]
    for row, cell in zip(rows, cells, strict=True):
        lines.append(line(cell, row.verdict))
        lines += [f"    - {problem}" for problem in row.problems]
    return "\n".join(lines) + "\n"


def summary_line(rows: Sequence[ScanRow], files: int) -> str:
    """Counts, and what the exit code means for this scan."""
    tasks = [r for r in rows if r.task_id is not None]
    failed = len(rows) - len(tasks)
    count = {v: sum(r.verdict == v for r in tasks) for v in ("ok", "needs-policy", "refused")}
    text = (
        f"{files} file{'s' * (files != 1)} scanned, {len(tasks)} Docker "
        f"task{'s' * (len(tasks) != 1)}: {count['ok']} ok, {count['needs-policy']} "
        f"need{'s' * (count['needs-policy'] == 1)} policy rules, {count['refused']} refused"
    )
    if failed:
        text += f"; {failed} file{'s' * (failed != 1)} failed to import"
    if count["refused"] or failed:
        return text + " (exit 1)"
    if count["needs-policy"]:
        return text + (
            " (exit 0: nothing is refused, but the needs-policy tasks will not run until the "
            "storage policy has the rules their fix: hints name)"
        )
    return text
