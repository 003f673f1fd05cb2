"""tests/data/compose/full: every storage form of the compose spec in one file, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from casecheck import check_always
from composecheck import mount_at, objects_of, pod, validate_objects

from k8s_volume_ops.compose import ComposeResult, build_compose, load_compose
from k8s_volume_ops.policy import load_policy

FULL = Path(__file__).resolve().parents[1] / "data" / "compose" / "full"


@pytest.fixture(scope="module")
def result() -> ComposeResult:
    project = load_compose(FULL / "compose.yml", environ={"API_KEY": "k-123"})
    policy = load_policy({"binds": [{"source": str(FULL), "claim": "app-files"}]})
    rendered = build_compose(project, policy, "demo")
    validate_objects(rendered.objects)
    check_always(rendered.objects, [])
    return rendered


def test_no_problems(result: ComposeResult) -> None:
    assert result.problems == []


MOUNTS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("api", "/srv/uploads", {}, {"persistentVolumeClaim": {"claimName": "uploads"}}),
    (
        "api",
        "/etc/app",
        {"readOnly": True, "subPath": "conf"},
        {"persistentVolumeClaim": {"claimName": "app-files"}},
    ),
    (
        "api",
        "/var/cache/app",
        {"subPath": "api"},
        {"persistentVolumeClaim": {"claimName": "app-cache"}},
    ),
    (
        "api",
        "/var/log/app",
        {"subPath": "logs"},
        {"persistentVolumeClaim": {"claimName": "app-files"}},
    ),
    ("api", "/scratch", {}, {"emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}),
    ("api", "/run", {}, {"emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}}),
    ("api", "/tmp", {}, {"emptyDir": {"medium": "Memory"}}),
    ("api", "/anonymous", {}, {"persistentVolumeClaim": {"claimName": "api-anonymous"}}),
    ("api", "/app_config", {"readOnly": True}, {}),
    ("api", "/etc/app.d/Inline.conf", {"readOnly": True, "subPath": "inline_config"}, {}),
    ("api", "/run/secrets/db_password", {"readOnly": True}, {}),
    ("api", "/run/secrets/API_KEY", {"subPath": "api_key"}, {}),
    (
        "worker",
        "/data/uploads",
        {"readOnly": True},
        {"persistentVolumeClaim": {"claimName": "uploads"}},
    ),
    ("worker", "/exports", {}, {"nfs": {"server": "nfs.example", "path": "/exports"}}),
    ("worker", "/var/cache/app", {"readOnly": True, "subPath": "api"}, {}),
    ("worker", "/anonymous", {"readOnly": True}, {}),
    (
        "web",
        "/usr/share/nginx/html",
        {"readOnly": True},
        {"configMap": {"name": "cm-web-usr-share-nginx-html"}},
    ),
]


@pytest.mark.parametrize(
    ("service", "target", "mount", "volume"), MOUNTS, ids=[f"{m[0]}{m[1]}" for m in MOUNTS]
)
def test_mount(
    result: ComposeResult, service: str, target: str, mount: dict[str, Any], volume: dict[str, Any]
) -> None:
    found_mount, found_volume = mount_at(result, service, target)
    for key, value in mount.items():
        assert found_mount.get(key) == value
    for key, value in volume.items():
        assert found_volume[key] == value


def test_tmpfs_is_not_inherited_through_volumes_from(result: ComposeResult) -> None:
    targets = {
        m["mountPath"] for m in pod(result, "worker")["spec"]["containers"][0]["volumeMounts"]
    }
    assert not targets & {"/scratch", "/run", "/tmp"}


def test_claims(result: ComposeResult) -> None:
    claims = objects_of(result, "PersistentVolumeClaim")
    assert sorted(claims) == ["api-anonymous", "app-cache", "app-files", "uploads"]
    uploads = claims["uploads"]
    assert uploads["spec"]["accessModes"] == ["ReadWriteMany"]
    assert uploads["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert uploads["metadata"]["labels"]["team"] == "media"
    assert all(c["metadata"]["namespace"] == "demo" for c in claims.values())


def test_container(result: ComposeResult) -> None:
    api = pod(result, "api")["spec"]["containers"][0]
    assert api["image"] == "registry.example/app:2.0"
    assert api["command"] == ["/usr/bin/tini", "--"]
    assert api["args"] == ["serve", "--port", "8080"]
    assert {"name": "LOG_LEVEL", "value": "info"} in api["env"]
    assert {"name": "WORKERS", "value": "2"} in api["env"]
    assert api["securityContext"] == {"runAsUser": 1000, "runAsGroup": 1000}
    assert pod(result, "worker")["spec"]["containers"][0]["args"] == [
        "worker",
        "--concurrency",
        "4",
    ]


def test_secret_and_config_contents(result: ComposeResult) -> None:
    assert objects_of(result, "Secret")["secret-api-key"]["data"] == {"api_key": "ay0xMjM="}
    assert objects_of(result, "ConfigMap")["config-inline-config"]["data"] == {
        "inline_config": "mode=prod\n"
    }
    secret_volume = mount_at(result, "api", "/run/secrets/API_KEY")[1]["secret"]
    assert secret_volume["defaultMode"] == 0o400


def test_notes_explain_what_changed(result: ComposeResult) -> None:
    notes = "\n".join(result.notes)
    for expected in (
        "NFS mount options ['nfsvers=4.1'] are not applied",
        "selinux=z",
        "tmpfs mode 0o755",
        "'/anonymous' is shared through volumes_from",
        "volume 'uploads' starts empty as a claim",
    ):
        assert expected in notes
    assert "volume 'Cache' starts empty" not in notes  # it says nocopy
