"""`k8s-volume-ops migrate`: the diff, the in-place rewrite, and what scan says after."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import DATA, Cli

STOCK_IMPORT = "from airflow.providers.docker.operators.docker import DockerOperator"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_diff_mode_changes_nothing_and_prints_git_style_paths(cli: Cli, dags_copy: Path) -> None:
    before = _tree(dags_copy)
    result = cli("migrate", dags_copy)
    assert result.returncode == 0, result.stderr
    assert _tree(dags_copy) == before
    diff = result.stdout
    assert "--- a/r03_shared_bind.py\n+++ b/r03_shared_bind.py\n" in diff
    assert f"-{STOCK_IMPORT}\n+from k8s_volume_ops import DockerOperator\n" in diff
    changed = [line for line in diff.splitlines() if line.startswith(("-", "+"))]
    assert all(
        line.startswith(("---", "+++")) or "import" in line or "DockerOperator" in line
        for line in changed
    )
    assert "experimental/" not in diff and "_draft" not in diff and ".drafts" not in diff
    assert "t01_taskflow_plain.py" not in diff  # @task.docker only: a note, no change
    assert result.stderr.strip().endswith("30 files would change (run again with --write)")


def test_diff_applies_with_patch(cli: Cli, dags_copy: Path, tmp_path: Path) -> None:
    patch = shutil.which("patch")
    if patch is None:
        pytest.skip("`patch` is not installed")
    diff = cli("migrate", dags_copy).stdout
    cli("migrate", dags_copy, "--write")
    expected = _tree(dags_copy)
    fresh = tmp_path / "fresh"
    shutil.copytree(DATA, fresh)
    subprocess.run([patch, "-s", "-p1"], input=diff, text=True, cwd=fresh, check=True)
    assert _tree(fresh) == expected


def test_notes_go_to_stderr(cli: Cli, dags_copy: Path) -> None:
    result = cli("migrate", dags_copy)
    notes = [line for line in result.stderr.splitlines() if ": note: " in line]
    assert any(
        line.startswith(f"{dags_copy / 't01_taskflow_plain.py'}: note: line 10: @task.docker")
        for line in notes
    )
    assert any("r04_pipeline_volumes.py: note: line 21: volumes= is kept" in n for n in notes)
    assert any("mounts= are kept" in n for n in notes)


def test_write_round_trip_keeps_every_other_byte(cli: Cli, dags_copy: Path) -> None:
    before = _tree(dags_copy)
    result = cli("migrate", dags_copy, "--write")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("rewrote 30 files")
    assert f"{dags_copy / 'i05_module_mixed_use.py'}: line 9: dock.DockerOperator is now" in (
        result.stdout
    )
    after = _tree(dags_copy)
    assert set(after) == set(before)
    for name, old in before.items():
        new = after[name]
        ignored = name.startswith(("experimental/", ".drafts/")) or name.endswith("_draft.py")
        if not name.endswith(".py") or ignored:
            assert new == old, name
            continue
        old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                touched = old_lines[i1:i2] + new_lines[j1:j2]
                assert all(b"import" in ln or b"DockerOperator" in ln for ln in touched), name
        assert STOCK_IMPORT.encode() not in new, name
    second = cli("migrate", dags_copy, "--write")
    assert second.returncode == 0 and second.stdout == ""
    assert second.stderr.strip().endswith("nothing to change")
    assert _tree(dags_copy) == after
    assert cli("migrate", dags_copy).stdout == ""


def test_unparsable_file_exits_1_and_the_rest_is_still_rewritten(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("from airflow.providers.docker import x\ndef f(:\n")
    good = tmp_path / "good.py"
    good.write_bytes((DATA / "r03_shared_bind.py").read_bytes())
    result = cli("migrate", tmp_path, "--write")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {tmp_path / 'broken.py'}: cannot parse line 2: invalid syntax"]
    assert b"from k8s_volume_ops import DockerOperator" in good.read_bytes()
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_utf8_is_one_error_and_later_files_still_migrate(
    cli: Cli, tmp_path: Path
) -> None:
    stock = b"from airflow.providers.docker.operators.docker import DockerOperator\n"
    (tmp_path / "a_latin1.py").write_bytes(stock + b"# caf\xe9\n")
    (tmp_path / "b_declared.py").write_bytes(b"# -*- coding: latin-1 -*-\n" + stock + b"# \xe9\n")
    later = tmp_path / "c_later.py"
    later.write_bytes(stock)
    result = cli("migrate", tmp_path, "--write")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"error: {tmp_path / 'a_latin1.py'}: cannot decode line 2 as utf-8 (invalid "
        "continuation byte at byte b'\\xe9'); Python cannot import it either fix: save the file "
        "as UTF-8, or declare its encoding on line 1 or 2 (# -*- coding: latin-1 -*-)"
    )
    assert result.stderr.splitlines()[-1] == (
        "rewrote 2 files; 1 could not be read or parsed (errors above)"
    )
    assert later.read_bytes() == b"from k8s_volume_ops import DockerOperator\n"
    assert (tmp_path / "b_declared.py").read_bytes().endswith(b"# \xe9\n")
    assert "internal error" not in result.stderr


def test_missing_folder_exits_2(cli: Cli) -> None:
    result = cli("migrate", "/no/such/dags")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1


def test_scan_after_migrate_imports_everything(cli: Cli, migrated: Path) -> None:
    """Files that failed to import with the stock operator (volumes=, the 1.10 path, a
    boolean auto_remove) now load, and their tasks get real verdicts."""
    result = cli("scan", migrated, "--format", "json", "--policy", migrated / "policy.yaml")
    rows = json.loads(result.stdout)
    assert not [r for r in rows if r["task_id"] is None], "a file still fails to import"
    verdicts = {(Path(r["file"]).name, r["task_id"]): r["verdict"] for r in rows}
    assert {
        key: verdicts[key]
        for key in [
            ("r04_pipeline_volumes.py", "run"),
            ("r06_volumes_removed.py", "t"),
            ("r06_volumes_removed.py", "warm_cache"),
            ("r10_getcwd_volumes.py", "export"),
            ("r16_auto_remove_bool.py", "t"),
            ("i04_legacy_path.py", "legacy"),
            ("v01_volumes_and_mount_strings.py", "train"),
            ("v01_volumes_and_mount_strings.py", "evaluate"),
            ("r03_shared_bind.py", "test"),
            ("s03_user_names.py", "as_nobody"),
        ]
    } == {
        ("r04_pipeline_volumes.py", "run"): "ok",
        ("r06_volumes_removed.py", "t"): "needs-policy",  # /data has no binds rule
        ("r06_volumes_removed.py", "warm_cache"): "ok",
        ("r10_getcwd_volumes.py", "export"): "needs-policy",
        ("r16_auto_remove_bool.py", "t"): "ok",
        ("i04_legacy_path.py", "legacy"): "ok",
        ("v01_volumes_and_mount_strings.py", "train"): "ok",
        ("v01_volumes_and_mount_strings.py", "evaluate"): "ok",
        ("r03_shared_bind.py", "test"): "ok",
        ("s03_user_names.py", "as_nobody"): "refused",  # still needs a DAG change
    }
    table = cli("scan", migrated, "--policy", migrated / "policy.yaml").stdout
    operators = {
        line.split()[1]: line.split()[2]
        for line in table.splitlines()[1:-1]
        if not line.startswith(" ")
    }
    assert operators["r03_shared_bind.test"] == "ours"
    assert operators["t01_taskflow_plain.transform"] == "stock"  # @task.docker is not migrated
