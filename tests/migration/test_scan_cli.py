"""`k8s-volume-ops scan` on the report-based DAG folder: verdicts, formats, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import DATA, POLICY, REPO, Cli

Key = tuple[str, str | None]

# Representative verdicts with the built-in policy (stock imports, before migrate).
BEFORE: dict[Key, str] = {
    ("r01_remote_daemon.py", "run"): "ok",
    ("r02_docker_sock.py", "sleep"): "ok",
    ("r02_docker_sock.py", "docker_cli"): "refused",
    ("r03_shared_bind.py", "test"): "needs-policy",
    ("r04_pipeline_volumes.py", None): "refused",
    ("r06_volumes_removed.py", None): "refused",
    ("r09_host_tmp_dir.py", "t"): "ok",
    ("r10_relative_bind.py", "export"): "refused",
    ("r11_identical_path.py", "t"): "needs-policy",
    ("r13_templated_volume_subclass.py", "write"): "ok",
    ("r14_sh_trap.py", "run_script"): "refused",
    ("r14_sh_trap.py", "mounted_script"): "refused",
    ("r14_sh_trap.py", "run_script_fixed"): "ok",
    ("r14_task_docker_run_id.py", "step"): "refused",
    ("r16_auto_remove_bool.py", None): "refused",
    ("r17_fixed_container_name.py", "nightly"): "ok",
    ("s01_compose_prefixed_volume.py", "consume"): "ok",
    ("s02_tmpfs_scratch.py", "sort_big_file"): "ok",
    ("s03_user_names.py", "as_nobody"): "refused",
    ("s03_user_names.py", "as_uid"): "ok",
    ("s04_network_modes.py", "offline"): "refused",
    ("s04_network_modes.py", "host_net"): "ok",
    ("s05_volume_drivers.py", "reports"): "ok",
    ("s05_volume_drivers.py", "ebs"): "needs-policy",
    # @task.docker writes its command only inside its own execute(): refused, no pod
    ("t01_taskflow_plain.py", "transform"): "refused",
    ("t02_taskflow_bind.py", "count_files"): "refused",
    ("i03_module_alias.py", "build_index"): "ok",
    ("i04_legacy_path.py", None): "refused",
    ("v01_volumes_and_mount_strings.py", None): "refused",
}

# What tests/data/migration_dags/policy.yaml changes.
WITH_POLICY: dict[Key, str] = {
    **BEFORE,
    ("r03_shared_bind.py", "test"): "ok",
    ("r05_x11_display.py", "gui"): "ok",
    ("r11_identical_path.py", "t"): "ok",
    ("s05_volume_drivers.py", "ebs"): "ok",
    ("s06_propagation.py", "read_only"): "ok",
    # the bind now maps to a claim, which reveals the next problem: rshared propagation
    ("s06_propagation.py", "shared_propagation"): "refused",
    ("r12_openmetadata_examples.py", "ingest"): "needs-policy",
}


def _by_key(rows: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    return {(Path(r["file"]).name, r["task_id"]): r for r in rows}


@pytest.fixture(scope="module")
def scan_json(cli: Cli) -> subprocess.CompletedProcess[str]:
    return cli("scan", DATA, "--format", "json")


@pytest.fixture(scope="module")
def scan_policy_table(cli: Cli) -> subprocess.CompletedProcess[str]:
    return cli("scan", DATA, "--policy", POLICY)


def test_json_rows_and_exit_code(scan_json: subprocess.CompletedProcess[str]) -> None:
    assert scan_json.returncode == 1, scan_json.stderr
    rows = json.loads(scan_json.stdout)  # stdout is pure JSON: no Airflow log lines
    assert all(set(r) == {"file", "dag_id", "task_id", "verdict", "problems"} for r in rows)
    found = _by_key(rows)
    assert {key: found[key]["verdict"] for key in BEFORE} == BEFORE
    assert ("n01_no_docker.py", "echo") not in found
    assert not any("experimental" in r["file"] or "_draft" in r["file"] for r in rows)
    summary = scan_json.stderr.strip().splitlines()[-1]
    assert summary.startswith("34 files scanned,") and summary.endswith("(exit 1)")


def test_json_problem_texts(scan_json: subprocess.CompletedProcess[str]) -> None:
    found = _by_key(json.loads(scan_json.stdout))
    (needs,) = found[("r03_shared_bind.py", "test")]["problems"]
    assert "fix: add to the storage policy:  binds: [{source: /shared, claim: shared}]" in needs
    (imported,) = found[("r04_pipeline_volumes.py", None)]["problems"]
    assert imported.startswith(
        f"import error at {DATA / 'r04_pipeline_volumes.py'}:18: TypeError: Invalid arguments "
        "were passed"
    )
    assert "'volumes'" in imported and "run `k8s-volume-ops migrate`" in imported
    assert found[("r04_pipeline_volumes.py", None)]["dag_id"] is None
    (socket,) = found[("r02_docker_sock.py", "docker_cli")]["problems"]
    assert "docker.sock" in socket and "\n" not in socket
    for key in [("t01_taskflow_plain.py", "transform"), ("r14_task_docker_run_id.py", "step")]:
        (decorated,) = found[key]["problems"]
        assert decorated.startswith(f"'@task.docker def {key[1]}()': @task.docker builds its")
        assert "fix: use @task.kubernetes" in decorated and "explicit command" in decorated


def test_table_with_policy(scan_policy_table: subprocess.CompletedProcess[str]) -> None:
    result = scan_policy_table
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["FILE", "TASK", "OPERATOR", "VERDICT"]
    verdicts: dict[Key, str] = {}
    for line in lines[1:-1]:
        if line.startswith("    - "):
            continue
        file, task, operator, verdict = line.split()
        assert operator in ("stock", "-")
        verdicts[(Path(file).name, None if task == "-" else task.split(".", 1)[1])] = verdict
    assert {key: verdicts[key] for key in WITH_POLICY} == WITH_POLICY
    assert "Traceback" not in result.stdout and "[error" not in result.stdout
    assert lines[-1].startswith("34 files scanned,") and "6 files failed to import" in lines[-1]


def test_needs_policy_alone_exits_zero_and_says_so(cli: Cli, tmp_path: Path) -> None:
    for name in ("r01_remote_daemon.py", "r03_shared_bind.py"):
        shutil.copy(DATA / name, tmp_path / name)
    result = cli("scan", tmp_path, "--progress")
    assert result.returncode == 0, result.stderr
    assert "exit 0: nothing is refused" in result.stdout.splitlines()[-1]
    # (text mode turns the bar's carriage returns into newlines)
    assert "] 0/2 loading Airflow" in result.stderr and "] 1/2 r03_shared_bind.py" in result.stderr


def test_progress_bar_only_on_request(cli: Cli, tmp_path: Path) -> None:
    for name in ("r01_remote_daemon.py", "s03_user_names.py"):
        shutil.copy(DATA / name, tmp_path / name)
    result = cli("scan", tmp_path, "--format", "json")
    assert result.returncode == 1
    assert "loading Airflow" not in result.stderr
    assert [r["verdict"] for r in json.loads(result.stdout)] == ["ok", "ok", "refused", "ok"]


def test_verbose_lets_airflow_talk_on_stderr(cli: Cli, tmp_path: Path) -> None:
    shutil.copy(DATA / "r06_volumes_removed.py", tmp_path)
    quiet = cli("scan", tmp_path, "--format", "json")
    loud = cli("scan", tmp_path, "--format", "json", "--verbose")
    assert json.loads(quiet.stdout) == json.loads(loud.stdout)
    assert "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr


@pytest.mark.parametrize(
    "args",
    [("/no/such/dags",), (str(DATA), "--policy", "/no/such/policy.yaml")],
    ids=["missing-folder", "missing-policy"],
)
def test_bad_arguments_exit_2_with_one_line(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli("scan", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")


def test_invalid_policy_exits_2(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("binds: [{source: relative/path, claim: x}]\n")
    result = cli("scan", DATA / "r03_shared_bind.py", "--policy", bad)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "must be an absolute path" in result.stderr


def test_repo_dags_folder(cli: Cli) -> None:
    dags = REPO / "dags"
    if not list(dags.glob("*.py")):
        pytest.skip("dags/ holds no DAG files yet")
    result = cli("scan", dags, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(r["verdict"] != "refused" for r in rows)
    assert {Path(r["file"]).name for r in rows} == {p.name for p in dags.glob("*.py")}


def test_every_row_uses_the_path_as_given_and_output_ends_with_a_newline(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "dags" / "team"
    folder.mkdir(parents=True)
    for name in ("r01_remote_daemon.py", "r06_volumes_removed.py"):
        shutil.copy(DATA / name, folder / name)
    expected = {"dags/team/r01_remote_daemon.py", "dags/team/r06_volumes_removed.py"}
    table = cli("scan", "dags", cwd=tmp_path)
    assert table.returncode == 1
    assert table.stdout.endswith("1 file failed to import (exit 1)\n")
    files = {line.split()[0] for line in table.stdout.splitlines()[1:-1] if line[0] != " "}
    assert files == expected
    as_json = cli("scan", "dags", "--format", "json", cwd=tmp_path)
    assert {row["file"] for row in json.loads(as_json.stdout)} == expected
    assert as_json.stdout.endswith("]\n") and as_json.stderr.endswith("(exit 1)\n")


def test_as_given_spells_airflow_paths_like_the_argument(tmp_path: Path, monkeypatch: Any) -> None:
    from k8s_volume_ops.cli.scan import as_given

    monkeypatch.chdir(tmp_path)
    given, root = Path("dags/a.py"), tmp_path.resolve()
    assert as_given(given, str(root / "dags" / "a.py")) == "dags/a.py"
    assert as_given(given, str(root / "dags" / "lib" / "b.py")) == "dags/lib/b.py"
    assert as_given(given, "/elsewhere/c.py") == "/elsewhere/c.py"


def test_cifs_password_stays_out_of_scan_and_render(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "cifs.py").write_text(
        "import pendulum\n"
        "from airflow.sdk import DAG\n"
        "from docker.types import DriverConfig, Mount\n"
        "from k8s_volume_ops import DockerOperator\n"
        "with DAG('m', start_date=pendulum.datetime(2025, 1, 1), schedule=None):\n"
        "    DockerOperator(task_id='cifs', image='alpine', command='true', mount_tmp_dir=False,\n"
        "        mounts=[Mount('/n', 'smb', driver_config=DriverConfig('local', {'type': 'cifs',\n"
        "            'o': 'addr=1.2.3.4,username=u,password=secretpw', 'device': '//h/s'}))])\n"
    )
    scan = cli("scan", tmp_path, "--format", "json")
    render = cli("render", tmp_path / "cifs.py")
    (row,) = json.loads(scan.stdout)
    assert row["verdict"] == "needs-policy"
    (problem,) = row["problems"]
    assert "'o': 'addr=1.2.3.4,username=u,password=<redacted>'" in problem
    assert render.returncode == 2
    assert "password=<redacted>" in render.stderr
    for text in (scan.stdout, scan.stderr, render.stdout, render.stderr):
        assert "secretpw" not in text
