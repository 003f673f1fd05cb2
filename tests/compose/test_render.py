"""One Pod per service, claims shared between services, volumes_from, and problem isolation."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from composecheck import Render, mount_at, objects_of, pod

from k8s_volume_ops.compose import render_compose
from k8s_volume_ops.errors import ConflictError, SpecError, UnsupportedError
from k8s_volume_ops.policy import StoragePolicy

CONTAINER = [
    (
        {"entrypoint": "/bin/sh -c", "command": "echo 'a b'"},
        {"command": ["/bin/sh", "-c"], "args": ["echo", "a b"]},
    ),
    ({"command": ["run", 3, True]}, {"args": ["run", "3", "true"]}),
    ({"entrypoint": ["tini", "--"]}, {"command": ["tini", "--"]}),
    (
        {"environment": {"A": 1, "B": True, "C": None, "D": "x"}},
        {
            "env": [
                {"name": "A", "value": "1"},
                {"name": "B", "value": "true"},
                {"name": "D", "value": "x"},
            ]
        },
    ),
    (
        {"environment": ["A=1", "E=", "SHELL_VAR"]},
        {
            "env": [
                {"name": "A", "value": "1"},
                {"name": "E", "value": ""},
                {"name": "SHELL_VAR", "value": "from-shell"},
            ]
        },
    ),
    ({"working_dir": "/app"}, {"workingDir": "/app"}),
    (
        {"command": ["sh", "-c", "echo $$HOME $$(date) $$$$"], "environment": {"P": "a$$(b)"}},
        {
            "args": ["sh", "-c", "echo $HOME $$(date) $$$"],
            "env": [{"name": "P", "value": "a$$(b)"}],
        },
    ),
    ({"user": "1000"}, {"securityContext": {"runAsUser": 1000}}),
    (
        {"user": "1000:2000", "privileged": True, "read_only": True},
        {
            "securityContext": {
                "runAsUser": 1000,
                "runAsGroup": 2000,
                "privileged": True,
                "readOnlyRootFilesystem": True,
            }
        },
    ),
]


@pytest.mark.parametrize(("service", "fields"), CONTAINER, ids=[str(c[0]) for c in CONTAINER])
def test_container_fields(render: Render, service: dict[str, Any], fields: dict[str, Any]) -> None:
    result = render(
        {"services": {"app": {"image": "busybox:1.36", **service}}},
        environ={"SHELL_VAR": "from-shell"},
    )
    assert not result.problems
    manifest = pod(result, "app")
    container = manifest["spec"]["containers"][0]
    for key, value in fields.items():
        assert container[key] == value
    assert manifest["spec"]["restartPolicy"] == "Never"
    assert container["name"] == "app" and container["image"] == "busybox:1.36"


def test_pod_names_and_labels(render: Render) -> None:
    result = render(
        {
            "services": {
                "My_Service.v2": {
                    "image": "x",
                    "labels": {"kompose.security-context.fsgroup": "1001"},
                }
            }
        },
        namespace="apps",
    )
    manifest = pod(result, "My_Service.v2")
    assert manifest["metadata"]["name"] == "my-service-v2"
    assert manifest["metadata"]["namespace"] == "apps"
    assert manifest["spec"]["containers"][0]["name"] == "my-service-v2"
    assert manifest["spec"]["securityContext"] == {"fsGroup": 1001}


def test_user_name_is_a_problem_but_the_pod_is_rendered(render: Render) -> None:
    result = render({"services": {"db": {"image": "postgres", "user": "postgres"}}})
    assert isinstance(result.problems[0], UnsupportedError)
    assert "services.db.user" in str(result.problems[0]) and "'postgres'" in str(result.problems[0])
    assert "securityContext" not in pod(result, "db")["spec"]["containers"][0]


def test_service_without_image(render: Render) -> None:
    result = render({"services": {"built": {"build": "."}, "ok": {"image": "x"}}})
    assert [str(p) for p in result.problems] == [
        "services.built: 'built': service has only `build:`; a pod needs an image from a "
        "registry\n  fix: build and push the image, then set `image:`"
    ]
    assert [o["metadata"]["name"] for o in objects_of(result, "Pod").values()] == ["ok"]


def test_services_whose_pod_names_collide(render: Render) -> None:
    result = render({"services": {"a_b": {"image": "x"}, "a-b": {"image": "y"}}})
    assert isinstance(result.problems[0], ConflictError)
    assert "Pod 'a-b' is already rendered" in str(result.problems[0])


def test_named_volume_objects_come_before_pods(render: Render) -> None:
    result = render(
        {
            "services": {
                "a": {"image": "x", "volumes": ["d:/d"], "secrets": ["s"], "configs": ["c"]}
            },
            "volumes": {"d": None},
            "secrets": {"s": {"file": "s"}},
            "configs": {"c": {"content": "x"}},
        },
        files={"s": "x"},
    )
    assert [o["kind"] for o in result.objects] == [
        "PersistentVolumeClaim",
        "ConfigMap",
        "Secret",
        "Pod",
    ]


def test_bind_claim_used_by_two_services_is_shared(render: Render) -> None:
    policy = {"binds": [{"source": "/srv", "claim": "srv"}]}
    compose = {
        "services": {
            "a": {"image": "x", "volumes": ["/srv/in:/in"]},
            "b": {"image": "x", "volumes": ["/srv/out:/out"]},
        }
    }
    shared = render(compose, policy)
    assert objects_of(shared, "PersistentVolumeClaim")["srv"]["spec"]["accessModes"] == [
        "ReadWriteMany"
    ]
    pinned = render(
        compose, {**policy, "claims": {"overrides": {"srv": {"accessModes": ["ReadWriteOnce"]}}}}
    )
    assert objects_of(pinned, "PersistentVolumeClaim")["srv"]["spec"]["accessModes"] == [
        "ReadWriteOnce"
    ]


def test_policy_shared_access_modes_and_overrides(render: Render) -> None:
    compose = {
        "services": {
            "a": {"image": "x", "volumes": ["v:/v"]},
            "b": {"image": "x", "volumes": ["v:/v:ro"]},
        },
        "volumes": {"v": None},
    }
    custom = render(compose, {"claims": {"sharedAccessModes": ["ReadWriteMany", "ReadOnlyMany"]}})
    assert objects_of(custom, "PersistentVolumeClaim")["v"]["spec"]["accessModes"] == [
        "ReadWriteMany",
        "ReadOnlyMany",
    ]
    pinned = render(compose, {"claims": {"overrides": {"v": {"accessModes": ["ReadWriteOnce"]}}}})
    assert objects_of(pinned, "PersistentVolumeClaim")["v"]["spec"]["accessModes"] == [
        "ReadWriteOnce"
    ]


def test_services_disagreeing_on_a_size_label(render: Render) -> None:
    result = render(
        {
            "services": {
                "a": {"image": "x", "volumes": ["v:/v"], "labels": {"kompose.volume.size": "1Gi"}},
                "b": {"image": "x", "volumes": ["v:/v"], "labels": {"kompose.volume.size": "2Gi"}},
            },
            "volumes": {"v": None},
        }
    )
    assert "services disagree on kompose.volume.size for volume 'v'" in str(result.problems[0])
    assert objects_of(result, "PersistentVolumeClaim")["v"]["spec"]["resources"] == {
        "requests": {"storage": "1Gi"}
    }


def test_size_label_without_a_named_volume_is_noted(render: Render) -> None:
    result = render(
        {
            "services": {
                "nginx": {
                    "image": "nginx",
                    "volumes": ["/etc/nginx/x.conf"],
                    "labels": {"kompose.volume.storage-class-name": "s"},
                }
            }
        }
    )
    assert any("kompose.volume.storage-class-name not applied" in n for n in result.notes)


VOLUMES_FROM = {
    "services": {
        "cat": {"image": "x", "volumes": ["/cat"], "tmpfs": "/run"},
        "foo": {"image": "x", "volumes": ["/foo1", "data:/data:ro"], "volumes_from": ["cat"]},
        "bar": {"image": "x", "volumes": ["/foo1"], "volumes_from": ["foo:rw"]},
        "baz": {"image": "x", "volumes_from": ["foo:ro"]},
    },
    "volumes": {"data": None},
}


def test_volumes_from_is_transitive_with_modes(render: Render) -> None:
    result = render(VOLUMES_FROM)
    assert not result.problems
    bar = {
        m["mountPath"]: m.get("readOnly", False)
        for m in pod(result, "bar")["spec"]["containers"][0]["volumeMounts"]
    }
    assert bar == {"/foo1": False, "/data": False, "/cat": False}
    baz = {
        m["mountPath"]: m.get("readOnly", False)
        for m in pod(result, "baz")["spec"]["containers"][0]["volumeMounts"]
    }
    assert baz == {"/foo1": True, "/data": True, "/cat": True}
    # bar's own /foo1 wins over foo's: an unshared scratch directory
    assert "emptyDir" in mount_at(result, "bar", "/foo1")[1]
    # anonymous volumes reached through volumes_from become one shared claim
    claims = objects_of(result, "PersistentVolumeClaim")
    assert sorted(claims) == ["cat-cat", "data", "foo-foo1"]
    assert all(c["spec"]["accessModes"] == ["ReadWriteMany"] for c in claims.values())
    assert mount_at(result, "cat", "/cat")[1]["persistentVolumeClaim"]["claimName"] == "cat-cat"
    assert any("tmpfs '/run' of 'cat' is not shared" in n for n in result.notes)


@pytest.mark.parametrize(
    ("volumes_from", "error", "message"),
    [
        (["nope"], SpecError, "volumes_from names no service 'nope'"),
        (["container:old"], UnsupportedError, "container outside the compose file"),
        (["b"], SpecError, "volumes_from cycle: a -> b -> a"),
    ],
)
def test_volumes_from_problems(
    render: Render, volumes_from: list[str], error: type[Exception], message: str
) -> None:
    result = render(
        {
            "services": {
                "a": {"image": "x", "volumes": ["/own"], "volumes_from": volumes_from},
                "b": {"image": "x", "volumes_from": ["a"]},
            }
        }
    )
    assert any(isinstance(p, error) and message in str(p) for p in result.problems)
    assert mount_at(result, "a", "/own") and mount_at(result, "b", "/own")


def test_one_bad_mount_leaves_no_orphan(render: Render) -> None:
    result = render(
        {
            "services": {"a": {"image": "x", "volumes": ["one:/d", "two:/d", "/x"]}},
            "volumes": {"one": None, "two": None},
        }
    )
    assert "duplicate mount point '/d'" in str(result.problems[0])
    assert sorted(objects_of(result, "PersistentVolumeClaim")) == ["one"]
    assert [v["name"] for v in pod(result, "a")["spec"]["volumes"]] == ["one", "anon-x"]


def test_bidirectional_propagation_needs_privileged(render: Render) -> None:
    mount = {"type": "bind", "source": "/srv/m", "target": "/m", "bind": {"propagation": "rshared"}}
    policy = {"binds": [{"source": "/srv", "hostPath": True}]}
    refused = render({"services": {"a": {"image": "x", "volumes": [mount]}}}, policy)
    assert "only in privileged containers" in str(refused.problems[0])
    allowed = render(
        {"services": {"a": {"image": "x", "privileged": True, "volumes": [mount]}}}, policy
    )
    assert mount_at(allowed, "a", "/m")[0]["mountPropagation"] == "Bidirectional"


def test_undeclared_named_volume_is_used_and_noted(render: Render) -> None:
    result = render({"services": {"db": {"image": "x", "volumes": ["db-data:/d"]}}})
    assert mount_at(result, "db", "/d")[1]["persistentVolumeClaim"]["claimName"] == "db-data"
    assert any("'db-data' is not declared" in n for n in result.notes)


def test_invalid_top_level_volume(render: Render) -> None:
    result = render(
        {
            "services": {"a": {"image": "x", "volumes": ["v:/v", "/ok"]}},
            "volumes": {"v": {"drivr": "x"}},
        }
    )
    messages = [str(p) for p in result.problems]
    assert "volumes.v" in messages[0] and "unknown volume keys ['drivr']" in messages[0]
    assert "services.a.volumes[0]" in messages[1] and "is invalid" in messages[1]
    assert mount_at(result, "a", "/ok")


def test_unreadable_compose_file_is_one_problem(tmp_path: Path) -> None:
    objects, problems = render_compose(tmp_path / "missing.yml", StoragePolicy(), None)
    assert objects == [] and "cannot read the compose file" in str(problems[0])


def test_render_does_not_import_airflow_or_kubernetes() -> None:
    code = (
        "import k8s_volume_ops.compose, sys; "
        "assert 'airflow' not in sys.modules and 'kubernetes' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rendering_a_large_file_is_fast(tmp_path: Path) -> None:
    services = {
        f"svc{i}": {
            "image": "x",
            "volumes": [f"v{i % 10}:/data", "/scratch", "/srv/x:/x:ro"],
            "tmpfs": ["/tmp:size=64m"],
            "environment": {"I": i},
        }
        for i in range(200)
    }
    compose = tmp_path / "compose.yml"
    compose.write_text(
        yaml.safe_dump({"services": services, "volumes": {f"v{i}": None for i in range(10)}})
    )
    policy = StoragePolicy.model_validate({"binds": [{"source": "/srv", "claim": "srv"}]})
    start = time.perf_counter()
    objects, problems = render_compose(compose, policy, None)
    elapsed = time.perf_counter() - start
    assert not problems and len(objects) == 200 + 11
    assert elapsed < 2.0, f"{elapsed:.2f}s for 200 services"


def test_one_bad_tmpfs_entry_keeps_the_others(render: Render) -> None:
    result = render(
        {"services": {"a": {"image": "x", "tmpfs": ["/ok:size=1m", "/bad:size=lots", "rel"]}}}
    )
    messages = [str(p) for p in result.problems]
    assert "services.a.tmpfs[1]" in messages[0] and "not a Docker size" in messages[0]
    assert "services.a.tmpfs[2]" in messages[1] and "must be absolute" in messages[1]
    assert mount_at(result, "a", "/ok")[1]["emptyDir"] == {"medium": "Memory", "sizeLimit": "1Mi"}


def _h(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:8]


def test_configs_and_secrets_whose_names_sanitise_alike_stay_apart(render: Render) -> None:
    """Docker keeps cfg.one and cfg_one apart; both would be ConfigMap config-cfg-one."""
    result = render(
        {
            "services": {
                "web": {
                    "image": "x",
                    "configs": [
                        {"source": "cfg.one", "target": "/etc/x"},
                        {"source": "cfg_one", "target": "/etc/y"},
                        {"source": "plain", "target": "/etc/z"},
                    ],
                    "secrets": ["s.k", "s_k"],
                },
                "files": {
                    "image": "x",
                    "labels": {"kompose.volume.type": "configMap"},
                    "volumes": ["./one.txt:/etc/a.b", "./two.txt:/etc/a_b"],
                },
            },
            "configs": {
                "cfg.one": {"file": "./one.txt"},
                "cfg_one": {"file": "./two.txt"},
                "plain": {"content": "p"},
            },
            "secrets": {"s.k": {"file": "./one.txt"}, "s_k": {"external": True}},
        },
        files={"one.txt": "1", "two.txt": "2"},
    )
    assert result.problems == []
    config_maps = objects_of(result, "ConfigMap")
    assert {name: cm["data"] for name, cm in config_maps.items()} == {
        f"config-cfg-one-{_h('config-cfg.one')}": {"cfg.one": "1"},
        f"config-cfg-one-{_h('config-cfg_one')}": {"cfg_one": "2"},
        "config-plain": {"plain": "p"},  # no clash: the name it always had
        f"config-files-etc-a-b-{_h('config-files/etc/a.b')}": {"one.txt": "1"},
        f"config-files-etc-a-b-{_h('config-files/etc/a_b')}": {"two.txt": "2"},
    }
    assert list(objects_of(result, "Secret")) == [f"secret-s-k-{_h('secret-s.k')}"]
    web = pod(result, "web")["spec"]
    assert [v["name"] for v in web["volumes"]] == [
        f"config-cfg-one-{_h('config-cfg.one')}",
        f"config-cfg-one-{_h('config-cfg_one')}",
        "config-plain",
        f"secret-s-k-{_h('secret-s.k')}",
        f"secret-s-k-{_h('secret-s_k')}",
    ]
    assert f"external: the Secret secret-s-k-{_h('secret-s_k')} with key 's_k' must exist" in (
        "\n".join(result.notes)
    )
