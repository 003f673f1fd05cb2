"""Install the chart into a real cluster and use its Role with a real token.

The account under test is bound to nothing but the chart's Role, and talks to the
API server with a token from the TokenRequest API, exactly like an Airflow worker
pod would. What it may do in the release namespace, and may not do anywhere else,
is decided by the API server's RBAC authorizer, not by reading the manifests.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from .conftest import CHART, run_helm

pytestmark = [pytest.mark.chart, pytest.mark.e2e]

WORKER = "airflow-worker"
CLAIM: dict[str, Any] = {
    "metadata": {"name": "x"},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
}
POD: dict[str, Any] = {
    "metadata": {"name": "x"},
    "spec": {"containers": [{"name": "base", "image": "busybox"}]},
}
VOLUME: dict[str, Any] = {
    "metadata": {"name": "kvo-e2e-denied"},
    "spec": {
        "capacity": {"storage": "1Gi"},
        "accessModes": ["ReadWriteOnce"],
        "hostPath": {"path": "/tmp/kvo-e2e-denied"},
    },
}
ApiCall = Callable[[client.CoreV1Api, str], Any]


def _admin(kubeconfig: Path) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(kubeconfig))


def _token_client(admin: client.ApiClient, token: str) -> client.ApiClient:
    """A client that authenticates with `token` only (no client certificate)."""
    source = admin.configuration
    conf = client.Configuration()
    conf.host = source.host
    conf.ssl_ca_cert = source.ssl_ca_cert
    conf.verify_ssl = source.verify_ssl
    conf.api_key = {"authorization": f"Bearer {token}"}
    return client.ApiClient(conf)


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def _exists(read: Callable[[], Any]) -> bool:
    try:
        read()
    except ApiException as exc:
        if exc.status == 404:
            return False
        raise
    return True


def _status(call: Callable[[], Any]) -> int:
    """HTTP status of an API call: 200 for success, else the error's status."""
    try:
        call()
    except ApiException as exc:
        return int(exc.status)
    return 200


@pytest.fixture(scope="module")
def release(kubeconfig: Path) -> Iterator[dict[str, Any]]:
    """The chart installed into a fresh namespace, with a worker account and a token."""
    suffix = uuid.uuid4().hex[:6]
    namespace, other = f"kvo-e2e-{suffix}", f"kvo-e2e-{suffix}-other"
    admin = _admin(kubeconfig)
    core = client.CoreV1Api(admin)
    for name in (namespace, other):
        core.create_namespace({"metadata": {"name": name}})
    # The account the official Airflow chart would create; here it gets no other grant.
    core.create_namespaced_service_account(namespace, {"metadata": {"name": WORKER}})
    _wait_for(
        lambda: _exists(lambda: core.read_namespaced_service_account("default", namespace)),
        "the namespace's default ServiceAccount",
    )
    values = {
        "serviceAccount": {"create": True},
        "claims": [{"name": "shared-data", "size": "1Gi"}],
        "nfs": [{"name": "media", "server": "127.0.0.1", "path": "/exports/media"}],
        "policy": {"claims": {"size": "2Gi"}},
    }
    helm = ["--kubeconfig", str(kubeconfig), "--namespace", namespace]
    try:
        run_helm("install", "k8s-volume-ops", str(CHART), *helm, values=values)
        token = core.create_namespaced_service_account_token(
            WORKER, namespace, {"spec": {"expirationSeconds": 600}}
        ).status.token
        yield {
            "namespace": namespace,
            "other": other,
            "admin": admin,
            "worker": _token_client(admin, token),
            "helm": helm,
            "kubeconfig": kubeconfig,
        }
    finally:
        run_helm("uninstall", "k8s-volume-ops", *helm, "--ignore-not-found")
        for name in (namespace, other):
            core.delete_namespace(name)
        if _exists(lambda: core.read_persistent_volume(f"{namespace}-media")):
            core.delete_persistent_volume(f"{namespace}-media")


def test_install_created_every_object(release: dict[str, Any]) -> None:
    core = client.CoreV1Api(release["admin"])
    rbac = client.RbacAuthorizationV1Api(release["admin"])
    ns = release["namespace"]
    assert rbac.read_namespaced_role("k8s-volume-ops", ns).rules
    subjects = rbac.read_namespaced_role_binding("k8s-volume-ops", ns).subjects
    assert [s.name for s in subjects] == ["airflow-worker", "airflow-triggerer", "k8s-volume-ops"]
    policy = core.read_namespaced_config_map("k8s-volume-ops-policy", ns).data["policy.yaml"]
    assert yaml.safe_load(policy)["claims"]["size"] == "2Gi"
    claims = {c.metadata.name for c in core.list_namespaced_persistent_volume_claim(ns).items}
    assert claims == {"shared-data", "media"}
    volume = core.read_persistent_volume(f"{ns}-media")
    assert volume.spec.claim_ref.name == "media"
    assert volume.spec.claim_ref.namespace == ns


def test_worker_token_can_do_what_the_operator_does(release: dict[str, Any]) -> None:
    worker = client.CoreV1Api(release["worker"])
    ns = release["namespace"]
    claim = {
        "metadata": {"name": "docker-volume-data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    worker.create_namespaced_persistent_volume_claim(ns, claim)
    assert worker.read_namespaced_persistent_volume_claim("docker-volume-data", ns)
    pod = {
        "metadata": {"name": "task-pod", "labels": {"dag_id": "e2e"}},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "base", "image": "busybox:1.36", "command": ["true"]}],
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "docker-volume-data"}}
            ],
        },
    }
    worker.create_namespaced_pod(ns, pod)
    assert worker.list_namespaced_pod(ns, label_selector="dag_id=e2e").items
    worker.patch_namespaced_pod("task-pod", ns, {"metadata": {"labels": {"checked": "true"}}})
    worker.list_namespaced_event(ns)
    secret = {"metadata": {"name": "task-pod-env"}, "stringData": {"TOKEN": "s3cret"}}
    worker.create_namespaced_secret(ns, secret)
    worker.replace_namespaced_secret("task-pod-env", ns, secret)
    worker.patch_namespaced_secret("task-pod-env", ns, {"metadata": {"labels": {"a": "b"}}})
    worker.delete_namespaced_secret("task-pod-env", ns)
    policy = worker.read_namespaced_config_map("k8s-volume-ops-policy", ns)
    assert "policy.yaml" in policy.data
    worker.delete_namespaced_pod("task-pod", ns, grace_period_seconds=0)


BEYOND_THE_ROLE: dict[str, ApiCall] = {
    "delete a claim": lambda api, ns: api.delete_namespaced_persistent_volume_claim(
        "shared-data", ns
    ),
    "read another ConfigMap": lambda api, ns: api.read_namespaced_config_map(
        "kube-root-ca.crt", ns
    ),
    "create a ConfigMap": lambda api, ns: api.create_namespaced_config_map(
        ns, {"metadata": {"name": "x"}}
    ),
    "list Secrets": lambda api, ns: api.list_namespaced_secret(ns),
    "create a PersistentVolume": lambda api, ns: api.create_persistent_volume(VOLUME),
    "read the namespace": lambda api, ns: api.read_namespace(ns),
}

IN_ANOTHER_NAMESPACE: dict[str, ApiCall] = {
    "create a claim": lambda api, ns: api.create_namespaced_persistent_volume_claim(ns, CLAIM),
    "create a pod": lambda api, ns: api.create_namespaced_pod(ns, POD),
    "list pods": lambda api, ns: api.list_namespaced_pod(ns),
    "read pod logs": lambda api, ns: api.read_namespaced_pod_log("x", ns),
    "create a Secret": lambda api, ns: api.create_namespaced_secret(
        ns, {"metadata": {"name": "x"}}
    ),
}


@pytest.mark.parametrize("what", list(BEYOND_THE_ROLE))
def test_worker_token_is_denied_beyond_the_role(release: dict[str, Any], what: str) -> None:
    worker = client.CoreV1Api(release["worker"])
    call = BEYOND_THE_ROLE[what]
    assert _status(lambda: call(worker, release["namespace"])) == 403


@pytest.mark.parametrize("what", list(IN_ANOTHER_NAMESPACE))
def test_worker_token_is_denied_in_another_namespace(release: dict[str, Any], what: str) -> None:
    worker = client.CoreV1Api(release["worker"])
    call = IN_ANOTHER_NAMESPACE[what]
    assert _status(lambda: call(worker, release["other"])) == 403


@pytest.mark.parametrize(
    ("verb", "resource", "subresource", "allowed"),
    [
        ("create", "pods", "", True),
        ("get", "pods", "log", True),
        ("create", "pods", "exec", False),
        ("get", "pods", "exec", False),
        ("create", "pods", "attach", False),
        ("delete", "persistentvolumeclaims", "", False),
        ("watch", "events", "", True),
    ],
)
def test_worker_access_reviews(
    release: dict[str, Any], verb: str, resource: str, subresource: str, allowed: bool
) -> None:
    """The same questions `kubectl auth can-i --token ...` asks."""
    auth = client.AuthorizationV1Api(release["worker"])
    review = auth.create_self_subject_access_review(
        {
            "spec": {
                "resourceAttributes": {
                    "namespace": release["namespace"],
                    "verb": verb,
                    "resource": resource,
                    "subresource": subresource,
                }
            }
        }
    )
    assert review.status.allowed is allowed


def test_chart_account_token_gets_the_same_role(release: dict[str, Any]) -> None:
    core = client.CoreV1Api(release["admin"])
    ns = release["namespace"]
    token = core.create_namespaced_service_account_token(
        "k8s-volume-ops", ns, {"spec": {"expirationSeconds": 600}}
    ).status.token
    own = client.CoreV1Api(_token_client(release["admin"], token))
    assert _status(lambda: own.list_namespaced_pod(ns)) == 200
    assert _status(lambda: own.list_namespaced_pod(release["other"])) == 403


def test_upgrade_is_idempotent_and_uninstall_keeps_the_data(release: dict[str, Any]) -> None:
    """Runs last in this module: it uninstalls and reinstalls the release."""
    ns = release["namespace"]
    values = {
        "serviceAccount": {"create": True},
        "claims": [{"name": "shared-data"}],
        "nfs": [{"name": "media", "server": "127.0.0.1", "path": "/exports/media"}],
    }
    run_helm("upgrade", "--install", "k8s-volume-ops", str(CHART), *release["helm"], values=values)
    run_helm("uninstall", "k8s-volume-ops", *release["helm"])
    core = client.CoreV1Api(release["admin"])
    rbac = client.RbacAuthorizationV1Api(release["admin"])
    assert not _exists(lambda: rbac.read_namespaced_role("k8s-volume-ops", ns))
    assert not _exists(lambda: core.read_namespaced_config_map("k8s-volume-ops-policy", ns))
    assert _exists(lambda: core.read_namespaced_persistent_volume_claim("shared-data", ns))
    assert _exists(lambda: core.read_namespaced_persistent_volume_claim("media", ns))
    assert _exists(lambda: core.read_persistent_volume(f"{ns}-media"))
    # A new install with the same name and namespace adopts the kept objects.
    run_helm("install", "k8s-volume-ops", str(CHART), *release["helm"], values=values)
    assert _exists(lambda: rbac.read_namespaced_role("k8s-volume-ops", ns))
