"""The example DAGs and the e2e DAGs, run with `airflow dags test` on a real cluster."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from e2e_support import EXAMPLE_DAGS, Airflow, read_claim
from kubernetes import client


def test_producer_consumer_share_a_named_volume(
    airflow: Airflow, core: client.CoreV1Api, namespace: str
) -> None:
    """1: the consumer's pod reads what the producer's pod wrote; the claim stays."""
    run = airflow.test_dag("producer_consumer", namespace, dags=EXAMPLE_DAGS)
    assert run.returncode == 0, run.log[-3000:]
    assert run.states == {"produce": "success", "consume": "success"}
    assert run.xcom[("consume", "return_value")] == "hello from produce"
    claims = core.list_namespaced_persistent_volume_claim(namespace).items
    assert [c.metadata.name for c in claims] == ["shared-data"]
    assert claims[0].status.phase == "Bound"
    day = datetime.now(UTC).strftime("%Y%m%d")
    assert (
        read_claim(core, namespace, "shared-data", f"{day}/greeting.txt") == "hello from produce\n"
    )
    assert "Created claims ['shared-data']" in run.log  # created once: by the producer


def test_read_only_and_sub_path(airflow: Airflow, namespace: str) -> None:
    """2: a read-only mount refuses writes; a subPath mount sees only its subdirectory."""
    run = airflow.test_dag("e2e_storage", namespace)
    assert run.returncode == 0, run.log[-3000:]
    assert run.xcom[("read_only", "return_value")] == "write-refused"
    assert run.xcom[("sub_path", "return_value")] == ["a.txt"]


def test_xcom_like_docker_operator(airflow: Airflow, namespace: str) -> None:
    """3: last line by default, all lines with xcom_all, the file with retrieve_output."""
    run = airflow.test_dag("e2e_xcom", namespace)
    assert run.returncode == 0, run.log[-3000:]
    assert run.xcom[("last_line", "return_value")] == "last"
    assert run.xcom[("all_lines", "return_value")] == ["first", "  second", "last"]
    assert run.xcom[("dollars", "return_value")] == "pa$$word $(HOME)"  # as Docker passes it
    assert ("no_push", "return_value") not in run.xcom
    assert run.xcom[("retrieve", "return_value")] == {"answer": 42, "items": [1, 2]}


def test_exit_codes_and_skips(airflow: Airflow, namespace: str) -> None:
    """4: a non-zero exit fails with the code and last lines; skip_on_exit_code skips."""
    run = airflow.test_dag("e2e_exit_codes", namespace)
    assert run.returncode != 0
    assert run.states == {
        "fails": "failed",
        "skips": "skipped",
        "skips_on_zero": "skipped",
        "succeeds": "success",
    }
    assert "Docker container failed: {'StatusCode': 3}" in run.log
    assert "the last words" in run.log.split("Docker container failed")[1]


def test_private_environment_stays_private(
    airflow: Airflow, core: client.CoreV1Api, namespace: str
) -> None:
    """5: the value reaches the container, and no pod spec, log or Secret keeps it."""
    value = "e2e-" + secrets.token_hex(12)
    run = airflow.test_dag("e2e_private_env", namespace, E2E_PRIVATE_VALUE=value)
    assert run.returncode == 0, run.log[-3000:]
    digest = hashlib.sha256(value.encode()).hexdigest()
    assert run.xcom[("uses_secret", "return_value")].split()[0] == digest
    assert value not in run.log
    (pod,) = core.list_namespaced_pod(namespace).items  # auto_remove="never" keeps it
    spec = client.ApiClient().sanitize_for_serialization(pod)
    assert value not in str(spec)
    log = core.read_namespaced_pod_log(
        pod.metadata.name, namespace, container="base", _preload_content=False
    ).data.decode()
    assert value not in log
    refs = [e for e in pod.spec.containers[0].env if e.value_from is not None]
    assert refs[0].value_from.secret_key_ref.name == f"{pod.metadata.name}-private-env"
    assert core.list_namespaced_secret(namespace).items == []


def test_compose_services_share_a_volume_and_read_their_config(
    airflow: Airflow, core: client.CoreV1Api, namespace: str
) -> None:
    """ComposeServiceOperator: each task runs one service of the compose file; the
    volume both use is one ReadWriteMany claim, the config file a ConfigMap."""
    run = airflow.test_dag("compose_service", namespace, dags=EXAMPLE_DAGS)
    assert run.returncode == 0, run.log[-3000:]
    assert run.states == {"produce": "success", "consume": "success"}
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    assert run.xcom[("produce", "return_value")] == "written"
    assert run.xcom[("consume", "return_value")] == f"report for {day}"
    (claim,) = core.list_namespaced_persistent_volume_claim(namespace).items
    assert claim.metadata.name == "reports" and claim.spec.access_modes == ["ReadWriteMany"]
    assert read_claim(core, namespace, "reports", "latest.txt") == f"report for {day}\n"
    config = core.read_namespaced_config_map("config-greeting", namespace)
    assert config.data == {"greeting": "hello from the compose file\n"}
