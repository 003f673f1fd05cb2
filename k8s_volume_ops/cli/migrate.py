"""`k8s-volume-ops migrate DAGS_DIR [--write]`: switch DAG files to our DockerOperator.

Without `--write` it prints a unified diff (`a/` and `b/` paths relative to
DAGS_DIR, so `patch -p1` applies it from there) and changes nothing; with `--write`
it rewrites the files in place and prints one line per change. Notes about things
kept on purpose (`@task.docker`, `volumes=`) go to stderr. The rewrite is
idempotent: a second run finds nothing to change.

Only files that mention "docker" are parsed: no other file can need a change, and
a syntax error in an unrelated helper module is not this command's business.

Exit codes: 0 when every candidate file parsed (whether or not anything changed),
1 when a file could not be read, decoded or parsed (the others are still handled,
and each such file gets one `error:` line naming it), 2 when DAGS_DIR does not exist.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SpecError, UnsupportedError
from ..migrate import dag_files
from ._output import guarded, one_line

if TYPE_CHECKING:
    from ..migrate.rewrite import RewriteResult

__all__ = ["register", "unified_diff"]


def register(subparsers: Any) -> None:
    """Add the `migrate` subcommand."""
    parser = subparsers.add_parser(
        "migrate",
        help="rewrite stock DockerOperator imports to k8s_volume_ops (a diff unless --write)",
    )
    parser.add_argument("dags_dir", type=Path, help="the DAG folder (or one DAG file)")
    parser.add_argument(
        "--write", action="store_true", help="rewrite the files in place instead of printing a diff"
    )
    parser.set_defaults(func=lambda args: guarded(lambda: run(args)))


def run(args: argparse.Namespace) -> int:
    """Rewrite (or diff) every candidate file; 1 when a file cannot be read or parsed."""
    root: Path = args.dags_dir
    if not root.exists():
        raise SpecError("no such file or directory", spec=str(root))
    try:
        from ..migrate.rewrite import rewrite_source
    except ImportError as exc:
        raise UnsupportedError(
            f"migrate needs libcst ({exc}): pip install 'k8s-volume-ops[migrate]'"
        ) from exc
    changed = unparsable = 0
    for path in dag_files(root):
        try:
            changed += _migrate_file(path, root, rewrite_source, write=args.write)
        except SpecError as exc:
            print(f"error: {one_line(exc)}", file=sys.stderr)
            unparsable += 1
        except OSError as exc:
            print(f"error: {path}: {exc.strerror or exc}", file=sys.stderr)
            unparsable += 1
        except Exception as exc:  # one odd file must not stop the files after it
            print(f"error: {path}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            unparsable += 1
    _summary(changed, unparsable, write=args.write)
    return 1 if unparsable else 0


def _migrate_file(path: Path, root: Path, rewrite: Any, *, write: bool) -> int:
    """Diff or rewrite one file; 1 when it changes. Raises what stops this file only."""
    source = path.read_bytes()
    if b"docker" not in source.lower():
        return 0
    result: RewriteResult = rewrite(source, origin=str(path))
    for note in result.notes:
        print(f"{path}: note: {note}", file=sys.stderr)
    if not result.changed:
        return 0
    _report(path, _relative(path, root), source, result, write=write)
    return 1


def _relative(path: Path, root: Path) -> str:
    return path.name if root.is_file() else path.relative_to(root).as_posix()


def _report(path: Path, rel: str, source: bytes, result: RewriteResult, *, write: bool) -> None:
    if not write:
        sys.stdout.write(unified_diff(source, result.code, rel))
        return
    _replace(path, result.code)
    for change in result.changes:
        print(f"{path}: {change}")


def unified_diff(old: bytes, new: bytes, rel: str) -> str:
    """A `git diff`-style unified diff of one file (decoded as UTF-8)."""
    before = old.decode("utf-8", errors="replace").splitlines(keepends=True)
    after = new.decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, fromfile=f"a/{rel}", tofile=f"b/{rel}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _replace(path: Path, code: bytes) -> None:
    """Write next to the file, then rename: a DAG folder never sees a half-written file."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(code)
        shutil.copymode(path, temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _summary(changed: int, unparsable: int, *, write: bool) -> None:
    files = f"{changed} file{'s' * (changed != 1)}"
    if write:
        text = f"rewrote {files}" if changed else "nothing to change"
    else:
        text = f"{files} would change (run again with --write)" if changed else "nothing to change"
    if unparsable:
        text += f"; {unparsable} could not be read or parsed (errors above)"
    print(text, file=sys.stderr)
