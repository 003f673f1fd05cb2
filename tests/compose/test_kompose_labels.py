"""Kompose's labels and the behaviour behind §2 rows that the expect format cannot express:
hostPath types, PodSecurity, ConfigMaps from host files, subPaths, per-volume labels."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml
from composecheck import Render, mount_at, objects_of, pod


def _svc(volumes: list[Any], **extra: Any) -> dict[str, Any]:
    return {"image": "busybox:1.36", "volumes": volumes, **extra}


def test_hostpath_type_follows_the_source_1113(render: Render, tmp_path: Path) -> None:
    result = render(
        {
            "services": {
                "a": _svc(
                    [
                        "./app.conf:/etc/app.conf",
                        "./dir:/d",
                        "./missing:/m",
                        {
                            "type": "bind",
                            "source": "./other",
                            "target": "/strict",
                            "bind": {"create_host_path": False},
                        },
                    ],
                    labels={"kompose.volume.type": "hostPath"},
                )
            }
        },
        files={"app.conf": "x=1", "dir/f": "", "other/f": ""},
    )
    types = {
        t: mount_at(result, "a", t)[1]["hostPath"].get("type")
        for t in ("/etc/app.conf", "/d", "/m", "/strict")
    }
    assert types == {
        "/etc/app.conf": "File",
        "/d": "DirectoryOrCreate",
        "/m": "DirectoryOrCreate",
        "/strict": None,
    }


def test_hostpath_label_obeys_pod_security(render: Render) -> None:
    result = render(
        {
            "services": {
                "a": _svc(["./m:/m", "/scratch"], labels={"kompose.volume.type": "hostPath"})
            }
        },
        {"podSecurity": "baseline"},
    )
    assert [type(p).__name__ for p in result.problems] == ["UnsupportedError"]
    assert "forbidden by PodSecurity level 'baseline'" in str(result.problems[0])
    assert mount_at(result, "a", "/scratch")


def test_docker_socket_and_host_data_8(render: Render) -> None:
    result = render(
        {
            "services": {
                "a": _svc(
                    ["/var/run/docker.sock:/var/run/docker.sock", "/srv/d:/d", "/opt/unmapped:/u"]
                )
            }
        },
        {"binds": [{"source": "/srv", "claim": "srv"}]},
    )
    messages = [str(p) for p in result.problems]
    assert len(messages) == 2
    assert "services.a.volumes[0]" in messages[0] and "Docker daemon's socket" in messages[0]
    assert (
        "services.a.volumes[2]" in messages[1]
        and "'/opt/unmapped' has no binds rule" in messages[1]
    )
    assert mount_at(result, "a", "/d")[1]["persistentVolumeClaim"]["claimName"] == "srv"


def test_storage_class_next_to_a_size_label_11(render: Render) -> None:
    result = render(
        {
            "services": {"a": _svc(["d:/d"], labels={"kompose.volume.storage-class-name": "fast"})},
            "volumes": {"d": {"labels": {"kompose.volume.size": "5Gi"}}},
        }
    )
    spec = objects_of(result, "PersistentVolumeClaim")["d"]["spec"]
    assert spec["storageClassName"] == "fast"
    assert spec["resources"]["requests"]["storage"] == "5Gi"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def test_binary_files_are_encoded_once_13_14(render: Render) -> None:
    result = render(
        {
            "services": {
                "web": _svc(
                    ["./html:/usr/share/nginx/html:ro", "./configs.tar:/c.tar"],
                    labels={"kompose.volume.type": "configMap"},
                )
            }
        },
        files={
            "html/index.html": "<h1>hi</h1>",
            "html/logo.png": PNG,
            "html/sub/x": "",
            "configs.tar": b"ustar\x00\x00" + bytes(range(256)),
        },
    )
    maps = objects_of(result, "ConfigMap")
    html = maps["cm-web-usr-share-nginx-html"]
    assert html["data"] == {"index.html": "<h1>hi</h1>"}
    assert base64.b64decode(html["binaryData"]["logo.png"]) == PNG
    tar = maps["config-web-c-tar"]
    assert base64.b64decode(tar["binaryData"]["configs.tar"]).startswith(b"ustar\x00")
    assert list(yaml.safe_load_all(yaml.safe_dump_all(result.objects))) == result.objects
    assert any("['sub']" in note for note in result.notes)  # the subdirectory is reported
    assert mount_at(result, "web", "/usr/share/nginx/html")[0]["readOnly"] is True


def test_configmap_label_refuses_what_it_cannot_hold(render: Render) -> None:
    result = render(
        {
            "services": {
                "web": _svc(
                    ["./missing:/m", "./big:/big", "/keep"],
                    labels={"kompose.volume.type": "configMap"},
                )
            }
        },
        files={"big": b"x" * (1024 * 1024 + 1)},
    )
    messages = [str(p) for p in result.problems]
    assert "host path" in messages[0] and "is not there" in messages[0]
    assert "1 MiB" in messages[1]
    assert mount_at(result, "web", "/keep")


def test_service_subpath_label_leaves_other_mounts_alone_4(render: Render) -> None:
    result = render(
        {
            "services": {
                "pg": _svc(
                    ["pg:/data", "/anon", "other:/o"],
                    tmpfs="/run",
                    secrets=["s"],
                    labels={"kompose.volume.subpath": "pgdata"},
                )
            },
            "volumes": {"pg": None, "other": {"labels": {"kompose.volume.subpath": "own"}}},
            "secrets": {"s": {"file": "s.txt"}},
        },
        files={"s.txt": "x"},
    )
    sub_paths = {
        m["mountPath"]: m.get("subPath")
        for m in pod(result, "pg")["spec"]["containers"][0]["volumeMounts"]
    }
    assert sub_paths == {
        "/data": "pgdata",
        "/anon": None,
        "/o": "own",
        "/run": None,
        "/run/secrets/s": "s",
    }


def test_statefulset_label_keeps_tmpfs_and_secret_volumes(render: Render) -> None:
    result = render(
        {
            "services": {
                "db": _svc(
                    ["pg:/data"],
                    tmpfs=["/tmp"],
                    secrets=["pw"],
                    labels={"kompose.controller.type": "statefulset"},
                )
            },
            "volumes": {"pg": None},
            "secrets": {"pw": {"file": "pw.txt"}},
        },
        files={"pw.txt": "x"},
    )
    kinds = {next(k for k in v if k != "name") for v in pod(result, "db")["spec"]["volumes"]}
    assert kinds == {"persistentVolumeClaim", "emptyDir", "secret"}


def test_emptydir_label_says_what_is_not_kept(render: Render) -> None:
    result = render(
        {
            "services": {
                "a": _svc(["data:/d", "/srv/x:/x"], labels={"kompose.volume.type": "emptyDir"})
            },
            "volumes": {"data": None},
        }
    )
    assert not result.problems and not objects_of(result, "PersistentVolumeClaim")
    assert mount_at(result, "a", "/x")[1]["emptyDir"] == {}
    assert sum("is not kept" in note for note in result.notes) == 2


def test_bad_kompose_labels_are_problems(render: Render) -> None:
    result = render(
        {
            "services": {"a": _svc(["d:/d"], labels={"kompose.volume.type": "nfs"})},
            "volumes": {"d": None},
        }
    )
    assert "kompose.volume.type must be one of" in str(result.problems[0])
    assert mount_at(result, "a", "/d")


def test_labels_on_top_level_volumes(render: Render) -> None:
    """Top-level labels are per volume and win over the service's."""
    result = render(
        {
            "services": {
                "a": _svc(
                    ["scratch:/s", "db_data:/d", "logs:/l"],
                    labels={
                        "kompose.volume.storage-class-name": "slow",
                        "kompose.volume.size": "1Gi",
                    },
                )
            },
            "volumes": {
                "scratch": {"labels": {"kompose.volume.type": "emptyDir"}},
                "db_data": {
                    "labels": ["kompose.volume.storage-class-name=fast", "kompose.volume.size=9Gi"]
                },
                "logs": None,
            },
        }
    )
    assert mount_at(result, "a", "/s")[1]["emptyDir"] == {}
    claims = objects_of(result, "PersistentVolumeClaim")
    assert sorted(claims) == ["db-data", "logs"]
    assert claims["db-data"]["spec"]["storageClassName"] == "fast"
    assert claims["db-data"]["spec"]["resources"]["requests"]["storage"] == "9Gi"
    assert claims["logs"]["spec"]["storageClassName"] == "slow"
    assert "kompose.volume.size" not in claims["db-data"]["metadata"]["labels"]


def test_selector_and_invalid_label_keys_are_noted(render: Render) -> None:
    result = render(
        {
            "services": {"a": _svc(["d:/d"])},
            "volumes": {
                "d": {
                    "labels": {
                        "kompose.volume.selector": "dev",
                        "bad key!": "x",
                        "ok.example/tier": "gold",
                    }
                }
            },
        }
    )
    claim = objects_of(result, "PersistentVolumeClaim")["d"]
    assert "selector" not in claim["spec"]
    assert claim["metadata"]["labels"]["ok.example/tier"] == "gold"
    notes = "\n".join(result.notes)
    assert "kompose.volume.selector 'dev' is not applied" in notes
    assert "label 'bad key!' is not a valid Kubernetes label key" in notes


def test_service_selector_and_labels_without_effect_are_noted(render: Render) -> None:
    """Kompose reads kompose.volume.selector only on top-level volumes and says nothing
    about a service's; here a service's gets the same note as a volume's."""
    result = render(
        {
            "services": {
                "db": {
                    **_svc(["data:/d"]),
                    "labels": {
                        "kompose.volume.selector": "fast",
                        "kompose.volume.storage-class-name": "ssd",
                        "kompose.volume.sise": "1Gi",
                        "kompose.service.type": "nodeport",
                        "kompose.security-context.fsgroup": "1000",
                        "team": "db",
                    },
                }
            },
            "volumes": {"data": {"labels": {"kompose.volume.szie": "1Gi", "kompose.x": "y"}}},
        }
    )
    claim = objects_of(result, "PersistentVolumeClaim")["data"]
    assert "selector" not in claim["spec"]
    assert claim["spec"]["storageClassName"] == "ssd"
    known = ", ".join(
        f"kompose.volume.{n}" for n in ("size", "storage-class-name", "type", "subpath", "selector")
    )
    assert [n for n in result.notes if ".labels:" in n or n.startswith("volumes.")] == [
        f"volumes.data: ['kompose.volume.szie'] are not Kompose volume labels ({known}); ignored",
        "volumes.data: Kompose labels ['kompose.x'] are not read on a volume; ignored",
        "services.db.labels: kompose.volume.selector 'fast' is not applied (Kompose reads it "
        "only on top-level volumes): a claim with a selector is never provisioned dynamically; "
        "bind a PersistentVolume by name instead",
        f"services.db.labels: ['kompose.volume.sise'] are not Kompose volume labels ({known}); "
        "ignored",
        "services.db.labels: Kompose labels ['kompose.service.type'] are not translated; ignored",
        "services.db.labels: container labels ['team'] are not put on the pod",
    ]
