"""Which files `scan` and `migrate` look at: Airflow's view of a DAG folder."""

from __future__ import annotations

from pathlib import Path

from k8s_volume_ops.migrate import dag_files

from .conftest import DATA


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# dag\n")


def _found(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in dag_files(root)]


def test_data_folder_skips_hidden_ignored_and_non_python() -> None:
    found = _found(DATA)
    assert len(found) >= 30
    assert "r01_remote_daemon.py" in found
    assert not any(name.startswith((".drafts/", "experimental/")) for name in found)
    assert "s07_cleanup_draft.py" not in found  # `*_draft.py` in .airflowignore
    assert all(name.endswith(".py") for name in found)


def test_hidden_dirs_and_pycache_are_skipped(tmp_path: Path) -> None:
    _touch(tmp_path, "a.py", ".git/hook.py", "__pycache__/a.py", "sub/b.py", "sub/.x/c.py")
    assert _found(tmp_path) == ["a.py", "sub/b.py"]


def test_airflowignore_rules(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "keep.py",
        "tmp_1.py",
        "tmp_keep.py",
        "lib/util.py",
        "lib/deep/x.py",
        "team/lib/y.py",
        "team/jobs/z.py",
        "team/local.py",
    )
    (tmp_path / ".airflowignore").write_text(
        "# comments and blank lines are ignored\n\ntmp_*.py  # trailing comment\n"
        "!tmp_keep.py\n/lib/\n"
    )
    (tmp_path / "team" / ".airflowignore").write_text("lib/\nlocal.py\n")
    assert _found(tmp_path) == ["keep.py", "team/jobs/z.py", "tmp_keep.py"]


def test_anchored_pattern_only_matches_below_its_own_folder(tmp_path: Path) -> None:
    _touch(tmp_path, "a/skip.py", "b/a/skip.py")
    (tmp_path / ".airflowignore").write_text("a/skip.py\n")
    assert _found(tmp_path) == ["b/a/skip.py"]


def test_a_file_is_its_own_folder(tmp_path: Path) -> None:
    _touch(tmp_path, "one.py")
    assert dag_files(tmp_path / "one.py") == [tmp_path / "one.py"]
