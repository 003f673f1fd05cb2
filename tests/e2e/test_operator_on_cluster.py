"""Our operator's execute(), in this process, against the real cluster.

These need control that `airflow dags test` does not give: tasks started at the
same moment, a task killed while running, a namespace with PodSecurity labels.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException
from docker.types import Mount
from e2e_support import BUSYBOX, new_namespace, read_claim
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from k8s_volume_ops import DockerOperator
from k8s_volume_ops.errors import ConflictError
from k8s_volume_ops.operators.offline import synthetic_context


def build_task(
    kubeconfig: Path, namespace: str, task_id: str, **kwargs: Any
) -> tuple[DockerOperator, Any]:
    """One task, rendered with a manual-run context, as a worker would have it."""
    with DAG(f"inproc_{task_id}", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        op = DockerOperator(
            task_id=task_id,
            image=BUSYBOX,
            namespace=namespace,
            config_file=str(kubeconfig),
            in_cluster=False,
            kubernetes_conn_id=None,
            startup_check_interval_seconds=1,
            **kwargs,
        )
    context = synthetic_context(dag, op, pendulum.now("UTC"))
    op.render_template_fields(context)
    return op, context


def run_task(
    kubeconfig: Path, namespace: str, task_id: str, **kwargs: Any
) -> tuple[DockerOperator, Any]:
    """Build and execute one task (minus the metadata DB); returns its XCom value."""
    op, context = build_task(kubeconfig, namespace, task_id, **kwargs)
    return op, op.execute(context)


def test_two_tasks_start_together_on_one_new_volume(
    kubeconfig: Path, core: client.CoreV1Api, namespace: str
) -> None:
    """6: one claim, no failure, when two tasks create the same volume at once."""
    mount = [Mount(target="/data", source="together")]
    with ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(
                run_task,
                kubeconfig,
                namespace,
                f"t{i}",
                mounts=mount,
                command=["sh", "-c", f"echo {i} > /data/t{i}; echo done-{i}"],
            )
            for i in range(2)
        ]
        results = [f.result(timeout=300)[1] for f in futures]
    assert results == ["done-0", "done-1"]
    claims = core.list_namespaced_persistent_volume_claim(namespace).items
    assert [c.metadata.name for c in claims] == ["together"]


def test_killed_task_leaves_claim_and_data_for_the_retry(
    kubeconfig: Path, core: client.CoreV1Api, namespace: str
) -> None:
    """7: on_kill deletes the pod; the claim and its data survive; a retry reads them."""
    mount = [Mount(target="/data", source="kept")]
    op, context = build_task(
        kubeconfig,
        namespace,
        "long",
        mounts=mount,
        command=["sh", "-c", "echo partial > /data/progress; sleep 120"],
    )
    errors: list[BaseException] = []

    def execute() -> None:
        try:
            op.execute(context)
        except Exception as exc:  # the kill makes execute() fail, as it should
            errors.append(exc)

    worker = threading.Thread(target=execute)
    worker.start()
    pod = _wait_for_running_pod(core, namespace)
    op.on_kill()
    worker.join(timeout=120)
    assert not worker.is_alive()
    assert [str(e) for e in errors] == [
        f"Task was killed: its pod {pod.metadata.name} was deleted before it ended"
    ]
    _wait_gone(core, namespace, pod.metadata.name)
    claims = core.list_namespaced_persistent_volume_claim(namespace).items
    assert [c.metadata.name for c in claims] == ["kept"]
    assert read_claim(core, namespace, "kept", "progress") == "partial\n"
    _, value = run_task(
        kubeconfig, namespace, "retry", mounts=mount, command=["cat", "/data/progress"]
    )
    assert value == "partial"


def test_volumes_that_meet_in_one_claim_name_are_kept_apart(
    kubeconfig: Path, core: client.CoreV1Api, namespace: str
) -> None:
    """Docker keeps `my_vol` and `my-vol` apart; both map to claim `my-vol`, so the
    second task is refused before its pod exists instead of reading the first's data."""
    _, value = run_task(
        kubeconfig,
        namespace,
        "first",
        mounts=[Mount(target="/data", source="my_vol")],
        command=["sh", "-c", "echo one > /data/f; cat /data/f"],
    )
    assert value == "one"
    with pytest.raises(ConflictError) as caught:
        run_task(
            kubeconfig,
            namespace,
            "second",
            mounts=[Mount(target="/data", source="my-vol")],
            command=["cat", "/data/f"],
        )
    assert str(caught.value) == (
        f"'my-vol': claim 'my-vol' in namespace {namespace!r} holds Docker volume 'my_vol'; "
        "using it for 'my-vol' would mix the two volumes' data\n"
        "  fix: give one of them its own claim: claims.overrides.my-vol.claimName"
    )
    pods = [p.metadata.labels["task_id"] for p in core.list_namespaced_pod(namespace).items]
    assert "second" not in pods
    assert read_claim(core, namespace, "my-vol", "f") == "one\n"


def _wait_for_running_pod(core: client.CoreV1Api, namespace: str) -> Any:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pods = [p for p in core.list_namespaced_pod(namespace).items if p.status.phase == "Running"]
        if pods:
            time.sleep(1)  # let the container write its progress file
            return pods[0]
        time.sleep(0.5)
    raise TimeoutError("the long task's pod never ran")


def _wait_gone(core: client.CoreV1Api, namespace: str, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if name not in {p.metadata.name for p in core.list_namespaced_pod(namespace).items}:
            return
        time.sleep(0.5)
    raise TimeoutError(f"pod {name} was not deleted")


@pytest.fixture
def baseline_namespace(core: client.CoreV1Api) -> Any:
    name = new_namespace(core, "e2e-baseline", {"pod-security.kubernetes.io/enforce": "baseline"})
    yield name
    core.delete_namespace(name)


def test_pod_security_baseline(
    kubeconfig: Path, core: client.CoreV1Api, baseline_namespace: str
) -> None:
    """8: default translations are admitted; a hostPath rule is refused before submission."""
    _, value = run_task(
        kubeconfig,
        baseline_namespace,
        "plain",
        mounts=[Mount("/data", "ok_vol")],
        command=["sh", "-c", "echo admitted"],
    )
    assert value == "admitted"
    policy = {"binds": [{"source": "/mnt/host", "hostPath": True}]}
    with pytest.raises(
        AirflowFailException, match=r"enforces PodSecurity level 'baseline'"
    ) as info:
        run_task(
            kubeconfig,
            baseline_namespace,
            "hostpath",
            storage_policy=policy,
            mounts=[Mount("/in", "/mnt/host/in", "bind")],
            command=["ls", "/in"],
        )
    assert "hostPath volume '/mnt/host/in'" in str(info.value)
    pods = core.list_namespaced_pod(baseline_namespace).items
    assert all(not p.metadata.name.startswith("hostpath") for p in pods)


def test_docker_conn_id_pull_secret_lives_with_the_pod(
    kubeconfig: Path, core: client.CoreV1Api, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registry login reaches the pod as imagePullSecrets, and leaves with it."""
    monkeypatch.setenv(
        "AIRFLOW_CONN_E2E_REGISTRY",
        '{"conn_type": "docker", "host": '
        '"registry.example.com", "port": 5000, "login": "robot", "password": "s3cret-pw"}',
    )
    op, value = run_task(
        kubeconfig,
        namespace,
        "pull",
        docker_conn_id="e2e_registry",
        auto_remove="never",
        command=["sh", "-c", "echo pulled"],
    )
    assert value == "pulled"
    pod = core.read_namespaced_pod(op.pod.metadata.name, namespace)
    assert [s.name for s in pod.spec.image_pull_secrets] == [f"{pod.metadata.name}-registry"]
    assert core.list_namespaced_secret(namespace).items == []  # deleted once the task ended


def test_pod_security_restricted(kubeconfig: Path, core: client.CoreV1Api) -> None:
    """Under `restricted`, `podSecurity: restricted` in the policy adds the fields the
    level requires, so the real admission lets a plain task in; without it the
    apiserver refuses the pod; a Docker input the level forbids is refused by us first."""
    namespace = new_namespace(
        core, "e2e-restricted", {"pod-security.kubernetes.io/enforce": "restricted"}
    )
    try:
        policy = {"podSecurity": "restricted"}
        _, value = run_task(
            kubeconfig,
            namespace,
            "hardened",
            storage_policy=policy,
            user="1000",
            mounts=[Mount("/data", "restricted_vol", read_only=True)],
            command=["sh", "-c", "echo admitted"],
        )
        assert value == "admitted"
        with pytest.raises(ApiException, match=r'violates PodSecurity \\"restricted:latest\\"'):
            run_task(kubeconfig, namespace, "unhardened", command=["true"])
        with pytest.raises(AirflowFailException) as info:
            run_task(
                kubeconfig,
                namespace,
                "chown",
                storage_policy=policy,
                user="1000",
                cap_add=["CHOWN"],
                command=["true"],
            )
        assert "cap_add ['CHOWN'] is forbidden by PodSecurity level 'restricted'" in str(info.value)
        tasks = {p.metadata.labels["task_id"] for p in core.list_namespaced_pod(namespace).items}
        assert not tasks & {"unhardened", "chown"}
    finally:
        core.delete_namespace(namespace)
