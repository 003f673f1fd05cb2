"""`k8s-volume-ops scan DAGS_DIR`: which Docker tasks of a DAG folder can run as pods.

Each DAG file is loaded once (an Airflow DagBag per file) and every DockerOperator
task in it, stock or ours, is rendered as `render` would and given a verdict (see
`migrate.verdicts`). A `@task.docker` task is `refused`: the decorator builds its
command only in its own `execute()`, and there is no pod equivalent of it. A file
that fails to import is one `refused` row with the import error, because none of
its tasks can run. Every row names its file as the DAGS_DIR argument spells it.

Exit codes: 0 when nothing is refused (needs-policy alone is 0, and the summary
says so), 1 when a task is refused or a file fails to import, 2 when the scan
itself cannot start (no such folder, invalid policy).

Airflow logs while it parses DAG files, some of it to stdout no matter how
`sys.stdout` is redirected (its log handlers hold the original stream). Scan output
is for machines too (`--format json`), so while files load, file descriptors 1
and 2 point at /dev/null (with `--verbose`, Airflow's output goes to stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from ..errors import SpecError
from ..migrate import ScanRow, dag_files, import_error_row, summary_line, table, task_row
from ..policy import StoragePolicy, load_policy
from ._output import guarded, quiet_airflow

__all__ = ["Progress", "as_given", "register", "scan_files"]


def register(subparsers: Any) -> None:
    """Add the `scan` subcommand."""
    parser = subparsers.add_parser(
        "scan",
        help="list every Docker task of a DAG folder with its verdict",
        description="Verdicts: ok (translates), needs-policy (only storage-policy rules are "
        "missing), refused (the DAG must change). Exit 1 when anything is refused.",
    )
    parser.add_argument("dags_dir", type=Path, help="the DAG folder (or one DAG file)")
    parser.add_argument(
        "--policy",
        type=Path,
        help="storage policy YAML file (default: $K8S_VOLUME_OPS_POLICY, else built-in defaults)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--progress",
        action="store_true",
        help="show the progress bar on stderr even when stderr is not a terminal",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="let Airflow's own log output through, on stderr",
    )
    parser.set_defaults(func=lambda args: guarded(lambda: run(args)))


def run(args: argparse.Namespace) -> int:
    """Scan the folder, print the rows and the summary; 1 when anything is refused."""
    policy = load_policy(args.policy)
    root: Path = args.dags_dir
    if not root.exists():
        raise SpecError("no such file or directory", spec=str(root))
    files = dag_files(root)
    show_progress = bool(args.progress or sys.stderr.isatty()) and len(files) > 1
    rows = scan_files(files, policy, progress=show_progress, verbose=args.verbose)
    summary = summary_line(rows, len(files))
    if args.format == "json":
        sys.stdout.write(json.dumps([row.as_json() for row in rows], indent=2) + "\n")
        sys.stdout.flush()  # the JSON first, then the summary, when both streams are one
        sys.stderr.write(summary + "\n")
    else:
        sys.stdout.write(table(rows) if rows else "no DockerOperator tasks found\n")
        sys.stdout.write(summary + "\n")
    return 1 if any(row.verdict == "refused" for row in rows) else 0


def scan_files(
    files: list[Path], policy: StoragePolicy, *, progress: bool = False, verbose: bool = False
) -> list[ScanRow]:
    """The rows of every file, in file order; each file is loaded exactly once."""
    rows: list[ScanRow] = []
    with quiet_airflow(keep_stderr=verbose) as stderr:
        bar = Progress(len(files), stderr) if progress else None
        if bar:
            bar.show(0, "loading Airflow")
        from ..operators.offline import render_dag_file

        for done, path in enumerate(files):
            if bar:
                bar.show(done, path.name)
            rows += _file_rows(path, policy, render_dag_file)
        if bar:
            bar.close()
    return rows


def _file_rows(path: Path, policy: StoragePolicy, render: Any) -> list[ScanRow]:
    """One file's rows; a crash while rendering refuses the file instead of the scan."""
    label = str(path)
    try:
        renders, errors = render(path.resolve(), policy, None)
    except Exception as exc:  # one odd task must not end the scan of a whole folder
        problem = f"could not render this file: {type(exc).__name__}: {exc}"
        return [ScanRow(label, None, None, "refused", [" ".join(problem.split())])]
    rows = [
        import_error_row(as_given(path, file), text, loaded=file) for file, text in errors.items()
    ]
    return rows + [task_row(label, task) for task in renders]


def as_given(path: Path, loaded: str) -> str:
    """`loaded` (the absolute path Airflow reports) spelled like `path`, the file as the
    user named it (below the DAGS_DIR argument as given); absolute when it is elsewhere."""
    resolved = path.resolve()
    found = Path(loaded)
    if found == resolved:
        return str(path)
    try:
        return str(path.parent / found.relative_to(resolved.parent))
    except ValueError:
        return loaded


class Progress:
    """A one-line progress bar redrawn with `\\r`; no dependency, erased when done."""

    width = 28

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self._last = 0

    def show(self, done: int, label: str) -> None:
        """Redraw the bar at `done` of `total`, naming the file being loaded."""
        filled = self.width * done // self.total
        text = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} {label[:48]}"
        self.stream.write("\r" + text.ljust(self._last))
        self.stream.flush()
        self._last = len(text)

    def close(self) -> None:
        """Erase the bar so the summary starts on a clean line."""
        self.stream.write("\r" + " " * self._last + "\r")
        self.stream.flush()
