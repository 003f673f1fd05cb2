"""Pure helpers behind `k8s-volume-ops scan` and `migrate`.

`discovery` finds the DAG files below a folder the way Airflow's DAG processor
would (hidden folders, `__pycache__` and `.airflowignore` matches left out);
`rewrite` swaps stock DockerOperator imports for ours with libcst, leaving every
other byte of the file alone; `verdicts` turns rendered tasks into scan rows.
None of them imports Airflow. libcst (the `migrate` extra) is loaded only when
`rewrite` is used, so `scan`, `render` and `--help` work without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .discovery import dag_files
from .verdicts import ScanRow, import_error_row, summary_line, table, task_row

if TYPE_CHECKING:
    from .rewrite import RewriteResult, rewrite_source

__all__ = [
    "RewriteResult",
    "ScanRow",
    "dag_files",
    "import_error_row",
    "rewrite_source",
    "summary_line",
    "table",
    "task_row",
]

_LAZY = {"RewriteResult", "rewrite_source"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import rewrite

        return getattr(rewrite, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
