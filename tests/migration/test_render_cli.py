"""`k8s-volume-ops render` of DAG files: `@task.docker` tasks and files that fail to import."""

from __future__ import annotations

import shutil
from pathlib import Path

import kubernetes_validate
import yaml

from k8s_volume_ops.podsecurity import check_pod_security

from .conftest import DATA, POLICY, Cli


def test_task_docker_is_a_problem_without_a_pod(cli: Cli) -> None:
    result = cli("render", DATA / "t02_taskflow_bind.py", "--policy", POLICY)
    assert result.returncode == 2
    assert [doc for doc in yaml.safe_load_all(result.stdout) if doc] == []
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"{DATA / 't02_taskflow_bind.py'}: task t02_taskflow_bind.count_files: "
        "'@task.docker def count_files()': @task.docker builds its command (a script that runs "
        "the pickled Python callable) only inside its own execute()"
    )
    assert line.endswith(
        "fix: use @task.kubernetes (apache-airflow-providers-cncf-kubernetes) to run the "
        "function in a pod, or a DockerOperator with an explicit command"
    )


def test_task_docker_beside_a_plain_task(cli: Cli, tmp_path: Path) -> None:
    dag = tmp_path / "mixed.py"
    dag.write_text(
        "from datetime import datetime\n"
        "from airflow.sdk import dag, task\n"
        "from k8s_volume_ops import DockerOperator\n\n"
        "@dag(start_date=datetime(2024, 1, 1), schedule=None)\n"
        "def mixed():\n"
        "    @task.docker(image='python:3.11-slim')\n"
        "    def decorated():\n"
        "        return 1\n\n"
        "    decorated() >> DockerOperator(task_id='plain', image='busybox', command='true')\n\n"
        "mixed()\n"
    )
    result = cli("render", "mixed.py", cwd=tmp_path)
    assert result.returncode == 2
    pods = [d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "Pod"]
    assert [p["metadata"]["labels"]["task_id"] for p in pods] == ["plain"]
    assert "placeholder command" not in result.stdout
    assert result.stderr.startswith(
        "mixed.py: task mixed.decorated: '@task.docker def decorated()'"
    )


def test_import_error_is_one_line_with_the_path_as_given(cli: Cli, tmp_path: Path) -> None:
    shutil.copy(DATA / "r06_volumes_removed.py", tmp_path)
    (tmp_path / "pydantic_dag.py").write_text(
        "# an airflow dag file\n"
        "import pydantic\n\n"
        "class M(pydantic.BaseModel):\n"
        "    a: int\n\n"
        "M(a='x')\n"
    )
    removed = cli("render", "r06_volumes_removed.py", cwd=tmp_path)
    assert removed.returncode == 2 and removed.stdout == ""
    assert removed.stderr.splitlines() == [
        "r06_volumes_removed.py: import error at r06_volumes_removed.py:13: TypeError: "
        "Invalid arguments were passed to "
        "DockerOperator (task_id: t). Invalid arguments were: **kwargs: {'volumes': "
        "['/data:/data:ro']} fix: run `k8s-volume-ops migrate`: the k8s-volume-ops "
        "DockerOperator accepts volumes="
    ]
    indented = cli("render", "pydantic_dag.py", cwd=tmp_path)
    (line,) = indented.stderr.splitlines()
    assert line.startswith(
        "pydantic_dag.py: import error at pydantic_dag.py:7: "
        "pydantic_core._pydantic_core.ValidationError: 1 "
        "validation error for M a Input should be a valid integer"
    )
    assert "Traceback" not in line and 'File "' not in line


def test_pod_security_problem_leaves_the_pod_out(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "ps.py").write_text(
        "from datetime import datetime\n"
        "from airflow.sdk import DAG\n"
        "from k8s_volume_ops import DockerOperator\n\n"
        "with DAG(dag_id='ps', start_date=datetime(2024, 1, 1), schedule=None):\n"
        "    DockerOperator(task_id='priv', image='busybox', command='true', privileged=True)\n"
    )
    (tmp_path / "policy.yaml").write_text("podSecurity: restricted\n")
    result = cli("render", "ps.py", "--policy", "policy.yaml", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "ps.py: task ps.priv: podSecurity: privileged=True is forbidden by PodSecurity level "
        "'restricted'",
        "ps.py: task ps.priv: its pod is left out because of the problems above",
    ]


def test_restricted_policy_renders_a_pod_the_level_admits(cli: Cli, tmp_path: Path) -> None:
    """The fields `restricted` requires are added to the pod (and to a compose service's)."""
    (tmp_path / "plain.py").write_text(
        "from datetime import datetime\n"
        "from airflow.sdk import DAG\n"
        "from k8s_volume_ops import DockerOperator\n\n"
        "with DAG(dag_id='plain', start_date=datetime(2024, 1, 1), schedule=None):\n"
        "    DockerOperator(task_id='t', image='busybox', command='true', user='1000')\n"
    )
    (tmp_path / "compose.yaml").write_text("services: {web: {image: 'nginx:1', user: '101'}}\n")
    (tmp_path / "policy.yaml").write_text("podSecurity: restricted\n")
    for source in ("plain.py", "compose.yaml"):
        result = cli("render", source, "--policy", "policy.yaml", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        (pod,) = [o for o in yaml.safe_load_all(result.stdout) if o and o["kind"] == "Pod"]
        kubernetes_validate.validate(pod, "1.36", strict=True)
        assert check_pod_security(pod, "restricted") == []
        assert pod["spec"]["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        (container,) = pod["spec"]["containers"]
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}


def test_two_tasks_whose_volumes_meet_in_one_claim(cli: Cli, tmp_path: Path) -> None:
    """`my_vol` and `my-vol` are two Docker volumes; the second task is refused, and a
    claim name chosen in the policy may be shared on purpose."""
    (tmp_path / "coll.py").write_text(
        "from datetime import datetime\n"
        "from airflow.sdk import DAG\n"
        "from k8s_volume_ops import DockerOperator\n\n"
        "with DAG(dag_id='coll', start_date=datetime(2024, 1, 1), schedule=None):\n"
        "    DockerOperator(task_id='a', image='alpine', volumes=['my_vol:/a'])\n"
        "    DockerOperator(task_id='b', image='alpine', volumes=['my-vol:/b'])\n"
        "    DockerOperator(task_id='c', image='alpine', volumes=['my_vol:/c'])\n"
    )
    result = cli("render", "coll.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "coll.py: task coll.b: 'my-vol': claim 'my-vol' already holds Docker volume 'my_vol' "
        "of task coll.a; Docker keeps the two apart fix: give one of them its own claim: "
        "claims.overrides.my-vol.claimName",
        "coll.py: task coll.b: its pod is left out because of the problems above",
    ]
    pods = [o for o in yaml.safe_load_all(result.stdout) if o and o["kind"] == "Pod"]
    assert [p["metadata"]["labels"]["task_id"] for p in pods] == ["a", "c"]
    shared = {
        "claims": {"overrides": {"my_vol": {"claimName": "both"}, "my-vol": {"claimName": "both"}}}
    }
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(shared))
    chosen = cli("render", "coll.py", "--policy", "policy.yaml", cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stderr


def test_compose_service_task_secrets_are_redacted(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pw.txt").write_text("secretvalue\n")
    (tmp_path / "c.yml").write_text(
        "services: {app: {image: 'alpine:3', secrets: [pw]}}\nsecrets: {pw: {file: ./pw.txt}}\n"
    )
    (tmp_path / "dag.py").write_text(
        "from datetime import datetime\n"
        "from airflow.sdk import DAG\n"
        "from k8s_volume_ops import ComposeServiceOperator\n\n"
        "with DAG(dag_id='cs', start_date=datetime(2024, 1, 1), schedule=None):\n"
        "    ComposeServiceOperator(task_id='app', compose_file='c.yml', service='app')\n"
    )
    result = cli("render", "dag.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (secret,) = [o for o in yaml.safe_load_all(result.stdout) if o and o["kind"] == "Secret"]
    assert set(secret.get("data", {}).values()) | set(secret.get("stringData", {}).values()) == {
        "<redacted>"
    }
    assert "secretvalue" not in result.stdout and "c2VjcmV0dmFsdWUK" not in result.stdout
