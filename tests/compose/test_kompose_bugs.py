"""Kompose's volume bugs (design note compose-and-kompose.md §2, rows 1-20, and the
code-only findings), each as its one-line reproducer with the result we give instead.

Each row is a compose file, the expected result in the shared cases' expect format
(checked by `casecheck`), and optionally a storage policy, all as YAML; `{dir}` stands
for the compose file's folder. Behaviour the format cannot express is tested in
`test_kompose_labels.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from casecheck import RenderRun, check_always, check_case, check_claim, check_mount
from composecheck import Render


@dataclass
class Row:
    id: str
    compose: str
    expect: str
    policy: str = "{}"
    files: dict[str, str] = field(default_factory=dict)


PVC = "type: persistentVolumeClaim"
PROJECT = "binds: [{source: '{dir}', claim: project}]"
ROWS = [
    Row(
        "1-uppercase-volume-1942",
        "services: {a: {image: x, volumes: ['Cache:/c']}}\nvolumes: {Cache: {}}",
        f"mounts: [{{task: a, mountPath: /c, {PVC}, claim: cache}}]\n"
        "claims: [{name: cache, count: 1}]",
    ),
    Row(
        "2-shared-volume-rwx-1046",
        "services: {a: {image: x, volumes: ['shared:/data']},"
        " b: {image: x, volumes: ['shared:/data']}}\nvolumes: {shared: }",
        "claims: [{name: shared, count: 1, accessModesInclude: [ReadWriteMany]}]",
    ),
    Row(
        "3-ro-mount-keeps-a-writable-claim-237",
        "services: {a: {image: x, volumes: ['data:/d:ro']}}\nvolumes: {data: }",
        f"mounts: [{{task: a, mountPath: /d, {PVC}, claim: data, readOnly: true}}]\n"
        "claims: [{name: data, accessModesInclude: [ReadWriteOnce]}]",
    ),
    Row(
        "4-postgres-subpath-label-1603",
        "services: {pg: {image: postgres, volumes: ['pg:/var/lib/postgresql/data'],"
        " labels: {kompose.volume.subpath: pgdata}}}\nvolumes: {pg: }",
        f"mounts: [{{task: pg, mountPath: /var/lib/postgresql/data, {PVC}, subPath: pgdata}}]",
    ),
    Row(
        "5-per-mount-subpath-1096",
        "services: {a: {image: x, volumes: ["
        "{type: volume, source: a, target: /x, volume: {subpath: one}},"
        " {type: volume, source: b, target: /y, volume: {subpath: two}}]}}\n"
        "volumes: {a: , b: }",
        f"mounts: [{{task: a, mountPath: /x, {PVC}, claim: a, subPath: one}},"
        f" {{task: a, mountPath: /y, {PVC}, claim: b, subPath: two}}]",
    ),
    Row(
        "6-hostpath-not-doubled-1089",
        "services: {a: {image: x, volumes: ['./m:/m'], labels: {kompose.volume.type: hostPath}}}",
        "mounts: [{task: a, mountPath: /m, type: hostPath, path: '{dir}/m'}]",
    ),
    Row(
        "9-different-storage-per-mount-1509",
        "services: {db: {image: x, volumes: ['./data:/var/lib/x',"
        " './init:/docker-entrypoint-initdb.d:ro']}}",
        f"mounts: [{{task: db, mountPath: /var/lib/x, {PVC}, claim: db-data}},"
        " {task: db, mountPath: /docker-entrypoint-initdb.d, type: nfs, server: nfs.example,"
        " path: /exports/init, readOnly: true}]",
        "binds: [{source: '{dir}/data', claim: db-data},"
        " {source: '{dir}/init', nfs: {server: nfs.example, path: /exports/init}}]",
    ),
    Row(
        "10-size-label-927",
        "services: {a: {image: x, volumes: ['d:/d'], labels: {kompose.volume.size: 3Gi}}}\n"
        "volumes: {d: }",
        "claims: [{name: d, size: 3Gi}]",
    ),
    Row(
        "12-statefulset-pvc-label-one-claim-2090",
        "services: {pg: {image: x, volumes: ['pg:/data'], labels: {kompose.controller.type:"
        " statefulset, kompose.volume.type: persistentVolumeClaim}}}\nvolumes: {pg: }",
        f"claims: [{{name: pg, count: 1}}]\n"
        f"mounts: [{{task: pg, mountPath: /data, {PVC}, claim: pg}}]",
    ),
    Row(
        "15-secret-target-keeps-its-case-1280",
        "services: {a: {image: x, secrets: [s, {source: s, target: /etc/App.yaml}]}}\n"
        "secrets: {s: {file: s.txt}}",
        "mounts: [{task: a, mountPath: /etc/App.yaml, type: secret},"
        " {task: a, mountPath: /run/secrets/s, type: secret}]",
        files={"s.txt": "x"},
    ),
    Row(
        "16-no-implicit-configmap-1060",
        "services: {web: {image: x, volumes: ['./tls:/etc/tls']}}",
        f"mounts: [{{task: web, mountPath: /etc/tls, {PVC}, claim: project, subPath: tls}}]",
        PROJECT,
        {"tls/a.crt": "cert"},
    ),
    Row(
        "17-volumes-from-444",
        "services: {a: {image: x, volumes: ['data:/d']}, b: {image: x, volumes_from: ['a:ro']}}\n"
        "volumes: {data: }",
        f"mounts: [{{task: b, mountPath: /d, {PVC}, claim: data, readOnly: true}}]\n"
        "claims: [{name: data, count: 1, accessModesInclude: [ReadWriteMany]}]",
    ),
    Row(
        "18-identical-volumes-one-rwx-claim-1012",
        "services: {a: {image: x, volumes: ['v:/v', /scratch]},"
        " b: {image: x, volumes: ['v:/v', /scratch]}}\nvolumes: {v: }",
        "claims: [{name: v, count: 1, accessModesInclude: [ReadWriteMany]}]\n"
        "mounts: [{task: b, mountPath: /scratch, type: emptyDir}]",
    ),
    Row(
        "19-no-hostpath-by-default-109",
        "services: {a: {image: x, volumes: ['./src:/app']}}",
        "exit: 2\nstderr_any: ['has no binds rule', 'binds: [{source: {dir}/src']",
    ),
    Row(
        "20-dot-source-584",
        "services: {a: {image: x, volumes: ['.:/code']}}",
        f"mounts: [{{task: a, mountPath: /code, {PVC}, claim: project}}]",
        PROJECT,
    ),
    Row(
        "code-long-syntax-tmpfs-is-memory",
        "services: {a: {image: x, volumes: [{type: tmpfs, target: /t, tmpfs: {size: 64m}}]}}",
        "mounts: [{task: a, mountPath: /t, type: emptyDir, medium: Memory, sizeLimit: 64Mi}]",
    ),
    Row(
        "code-image-mount-keeps-the-other-mounts",
        "services: {a: {image: x, volumes: [{type: image, source: 'alpine:3', target: /img},"
        " 'data:/d', /scratch]}}\nvolumes: {data: }",
        "exit: 2\nstderr_any: [\"type 'image'\"]\n"
        f"mounts: [{{task: a, mountPath: /d, {PVC}}},"
        " {task: a, mountPath: /scratch, type: emptyDir}]",
    ),
    Row(
        "code-hostpath-label-leaves-named-volumes-alone",
        "services: {a: {image: x, volumes: ['data:/d'], labels: {kompose.volume.type: hostPath}}}\n"
        "volumes: {data: }",
        f"mounts: [{{task: a, mountPath: /d, {PVC}, claim: data}}]",
    ),
    Row(
        "code-underscore-volume-finds-its-labels",
        "services: {db: {image: x, volumes: ['db_data:/var/lib/mysql']}}\n"
        "volumes: {db_data: {labels: {kompose.volume.size: 7Gi}}}",
        "claims: [{name: db-data, size: 7Gi}]",
    ),
    Row(
        "code-pvc-label-beats-an-existing-path",
        "services: {web: {image: x, volumes: ['./tls:/etc/tls'],"
        " labels: {kompose.volume.type: persistentVolumeClaim}}}",
        f"mounts: [{{task: web, mountPath: /etc/tls, {PVC}, claim: project}}]",
        PROJECT,
        {"tls/a.crt": "cert"},
    ),
]


def _load(text: str, folder: str) -> Any:
    return yaml.safe_load(text.replace("{dir}", folder))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_kompose_bug(row: Row, render: Render, tmp_path: Path) -> None:
    folder = str(tmp_path)
    result = render(row.compose, _load(row.policy, folder), files=row.files)
    expect = {"exit": 0, **_load(row.expect, folder)}
    stderr = "\n".join(str(p) for p in result.problems)
    check_case(RenderRun(2 if result.problems else 0, result.objects, stderr), expect)
    # A problem never hides the service's other mounts: they are checked on exit 2 too.
    check_always(result.objects, [])
    for mount in expect.get("mounts", []):
        check_mount(result.objects, mount)
    for claim in expect.get("claims", []):
        check_claim(result.objects, claim)
