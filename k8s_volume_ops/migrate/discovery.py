"""Find the DAG files below a folder, as Airflow's DAG processor would see them.

Airflow walks the DAG folder and drops what `.airflowignore` files match (glob
syntax by default, gitignore-like). Reading the ignore files ourselves keeps
`scan` and `migrate` from touching files the deployment never loads: an ignored
scratch file that fails to import is not a migration problem. Hidden folders and
`__pycache__` are skipped as well, since nobody keeps DAGs there on purpose.

The glob rules supported are the simple ones: `#` comments, `!` negation, a
trailing `/` for directories only, and a pattern with a `/` anchored at the ignore
file's folder (otherwise it matches a name at any depth). `**` is read as `*`,
which matches across `/`; Airflow's `regexp` syntax is not supported.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["IGNORE_FILE", "IgnoreRule", "dag_files", "read_ignore_file"]

IGNORE_FILE = ".airflowignore"
_COMMENT = re.compile(r"\s*#.*")


@dataclass(frozen=True)
class IgnoreRule:
    """One `.airflowignore` line, anchored at the folder holding the file."""

    pattern: str
    base: PurePosixPath
    anchored: bool
    dir_only: bool
    negated: bool

    def matches(self, relative: PurePosixPath, is_dir: bool) -> bool:
        """Whether this rule applies to `relative` (a path below the scanned root)."""
        if self.dir_only and not is_dir:
            return False
        if self.anchored:
            try:
                below = relative.relative_to(self.base)
            except ValueError:
                return False
            return fnmatch.fnmatchcase(below.as_posix(), self.pattern)
        return fnmatch.fnmatchcase(relative.name, self.pattern)


def read_ignore_file(path: Path, base: PurePosixPath) -> list[IgnoreRule]:
    """The rules of one `.airflowignore`; `base` is its folder relative to the root."""
    rules = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        text = _COMMENT.sub("", line).strip()
        negated = text.startswith("!")
        text = text.removeprefix("!")
        dir_only = text.endswith("/")
        text = text.rstrip("/")
        if not text:
            continue
        anchored = "/" in text
        pattern = text.lstrip("/").replace("**", "*")
        rules.append(IgnoreRule(pattern, base, anchored, dir_only, negated))
    return rules


def _ignored(relative: PurePosixPath, is_dir: bool, rules: list[IgnoreRule]) -> bool:
    """Later rules win, as in gitignore, so `!keep.py` can undo an earlier match."""
    ignored = False
    for rule in rules:
        if rule.matches(relative, is_dir):
            ignored = not rule.negated
    return ignored


def _skipped_dir(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"


def dag_files(root: Path) -> list[Path]:
    """Every `.py` file below `root` that Airflow would parse, sorted; a file is itself."""
    if root.is_file():
        return [root]
    found: list[Path] = []
    rules_by_dir: dict[str, list[IgnoreRule]] = {}
    for current, dirs, files in os.walk(root):
        here = Path(current)
        relative_dir = PurePosixPath(here.relative_to(root).as_posix())
        rules = list(rules_by_dir.get(current, []))
        if IGNORE_FILE in files:
            rules += read_ignore_file(here / IGNORE_FILE, relative_dir)
        dirs[:] = sorted(
            d for d in dirs if not _skipped_dir(d) and not _ignored(relative_dir / d, True, rules)
        )
        for d in dirs:
            rules_by_dir[os.path.join(current, d)] = rules
        found += [
            here / name
            for name in files
            if name.endswith(".py") and not _ignored(relative_dir / name, False, rules)
        ]
    return sorted(found)
