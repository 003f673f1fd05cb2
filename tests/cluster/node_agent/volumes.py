"""Turn a pod's volumes into host paths that containers bind-mount.

PVCs (including generic ephemeral ones) resolve to the bound PV's ``hostPath``
or ``local`` path, i.e. the directory the real host-path provisioner in
kube-controller-manager created. emptyDir, configMap, secret, downwardAPI and
projected volumes are materialised below the pod's state directory. Any other
volume type fails the pod with a message naming the type, so a test never
silently runs against the wrong storage.
"""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes.client import CoreV1Api
from kubernetes.client.rest import ApiException
from kubernetes.utils import parse_quantity

from .envvars import ConfigError, field_value, resource_value

PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
SUPPORTED = (
    "persistentVolumeClaim",
    "ephemeral",
    "emptyDir",
    "configMap",
    "secret",
    "hostPath",
    "projected",
    "downwardAPI",
)


class VolumeError(Exception):
    """A volume cannot be set up; fails the pod with ``reason``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class HostVolume:
    path: str
    read_only: bool = False


def _volume_type(vol: dict[str, Any]) -> str:
    return next((k for k in vol if k != "name"), "<none>")


class PodVolumes:
    """Prepares and later cleans up the volumes of one pod."""

    def __init__(
        self,
        core: CoreV1Api,
        pod: dict[str, Any],
        pod_dir: Path,
        stop: threading.Event,
        bind_timeout: float = 120.0,
    ) -> None:
        self.core = core
        self.pod = pod
        self.dir = pod_dir / "volumes"
        self.stop = stop
        self.bind_timeout = bind_timeout
        self.tmpfs: list[Path] = []
        sc = pod["spec"].get("securityContext") or {}
        self.fs_group: int | None = sc.get("fsGroup")

    # ------------------------------------------------------------------ API
    def prepare(self) -> dict[str, HostVolume]:
        out: dict[str, HostVolume] = {}
        for vol in self.pod["spec"].get("volumes") or []:
            kind = _volume_type(vol)
            if kind not in SUPPORTED:
                raise VolumeError(
                    "UnsupportedVolume",
                    f'volume "{vol["name"]}": type {kind} is not supported by the local node agent '
                    f"(supported: {', '.join(SUPPORTED)})",
                )
            try:
                out[vol["name"]] = getattr(self, f"_{kind}")(vol["name"], vol[kind])
            except ConfigError as e:
                raise VolumeError("FailedMount", f'volume "{vol["name"]}": {e}') from None
        return out

    def cleanup(self) -> None:
        for path in self.tmpfs:
            subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)
        self.tmpfs.clear()

    # -------------------------------------------------------------- helpers
    def _vol_dir(self, name: str, mode: int = 0o755) -> Path:
        d = self.dir / name
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(mode)
        return d

    def _write_files(self, name: str, files: list[tuple[str, bytes, int]]) -> HostVolume:
        """Write atomic-writer style volume content (read-only to containers)."""
        d = self._vol_dir(name)
        for rel, data, mode in files:
            path = d / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if self.fs_group is not None:
                # As the kubelet's volume ownership management: group-readable by fsGroup.
                os.chown(path, -1, self.fs_group)
                mode |= 0o040
            path.chmod(mode)
        return HostVolume(str(d), read_only=True)

    def _keyed(
        self, kind: str, src: dict[str, Any], default_mode: int
    ) -> list[tuple[str, bytes, int]]:
        ns = self.pod["metadata"]["namespace"]
        try:
            if kind == "secret":
                obj = self.core.read_namespaced_secret(
                    src["secretName" if "secretName" in src else "name"], ns
                )
                data = {k: base64.b64decode(v) for k, v in (obj.data or {}).items()}
            else:
                obj = self.core.read_namespaced_config_map(src["name"], ns)
                data = {k: v.encode() for k, v in (obj.data or {}).items()}
                data.update({k: base64.b64decode(v) for k, v in (obj.binary_data or {}).items()})
        except ApiException as e:
            if e.status == 404 and src.get("optional"):
                return []
            if e.status == 404:
                raise ConfigError(
                    f'{kind} "{src.get("secretName") or src.get("name")}" not found'
                ) from None
            raise
        items = src.get("items")
        if not items:
            return [(k, v, default_mode) for k, v in data.items()]
        out = []
        for it in items:
            if it["key"] not in data:
                if src.get("optional"):
                    continue
                raise ConfigError(f"{kind} has no key {it['key']!r}")
            out.append((it["path"], data[it["key"]], it.get("mode", default_mode)))
        return out

    def _downward_items(
        self, items: list[dict[str, Any]], default_mode: int
    ) -> list[tuple[str, bytes, int]]:
        out = []
        for it in items:
            if "fieldRef" in it:
                value = field_value(self.pod, it["fieldRef"]["fieldPath"])
            else:
                ref = it["resourceFieldRef"]
                value = resource_value(self.pod, ref.get("containerName", ""), ref)
            out.append((it["path"], value.encode(), it.get("mode", default_mode)))
        return out

    def _token(self, src: dict[str, Any]) -> bytes:
        meta = self.pod["metadata"]
        body = {
            "spec": {
                "audiences": [src["audience"]] if src.get("audience") else None,
                "expirationSeconds": src.get("expirationSeconds", 3600),
                "boundObjectRef": {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "name": meta["name"],
                    "uid": meta["uid"],
                },
            }
        }
        sa = self.pod["spec"].get("serviceAccountName") or "default"
        resp = self.core.create_namespaced_service_account_token(sa, meta["namespace"], body)
        return str(resp.status.token).encode()

    def _wait_claim(self, claim: str, pod_uid: str | None = None) -> dict[str, Any]:
        ns = self.pod["metadata"]["namespace"]
        deadline = time.monotonic() + self.bind_timeout
        while True:
            try:
                pvc = self.core.read_namespaced_persistent_volume_claim(claim, ns)
                if pod_uid is not None and not any(
                    o.uid == pod_uid and o.controller for o in pvc.metadata.owner_references or []
                ):
                    raise VolumeError(
                        "FailedMount", f"PVC {ns}/{claim} was not created for pod (uid {pod_uid})"
                    )
                if pvc.status.phase == "Bound" and pvc.spec.volume_name:
                    pv = self.core.read_persistent_volume(pvc.spec.volume_name)
                    return dict(self.core.api_client.sanitize_for_serialization(pv))
                state = f"phase {pvc.status.phase}"
            except ApiException as e:
                if e.status != 404:
                    raise
                state = "not found"
            if time.monotonic() > deadline or self.stop.is_set():
                raise VolumeError(
                    "FailedMount",
                    f"PersistentVolumeClaim {ns}/{claim} not bound after "
                    f"{self.bind_timeout:.0f}s ({state})",
                )
            time.sleep(0.5)

    def _pv_path(self, name: str, pv: dict[str, Any]) -> str:
        spec = pv["spec"]
        if "hostPath" in spec:
            path = spec["hostPath"]["path"]
            if spec["hostPath"].get("type") == "DirectoryOrCreate" or not os.path.exists(path):
                os.makedirs(path, mode=0o755, exist_ok=True)
            annotations = pv["metadata"].get("annotations") or {}
            if annotations.get(PROVISIONED_BY) == "kubernetes.io/host-path":
                # The in-tree provisioner creates 0750 root dirs; open them up like
                # kind's local-path-provisioner (0777) so non-root pods can write.
                os.chmod(path, 0o777)
            return str(path)
        if "local" in spec:
            return str(spec["local"]["path"])
        kind = next(
            (
                k
                for k in spec
                if k.endswith(("Disk", "Source"))
                or k in ("nfs", "csi", "iscsi", "cephfs", "fc", "rbd", "glusterfs", "azureFile")
            ),
            "unknown",
        )
        raise VolumeError(
            "UnsupportedVolume",
            f'volume "{name}": PersistentVolume {pv["metadata"]["name"]} of type {kind} is not '
            "supported by the local node agent (only hostPath and local PVs)",
        )

    # ------------------------------------------------------------ by type
    def _persistentVolumeClaim(self, name: str, src: dict[str, Any]) -> HostVolume:
        pv = self._wait_claim(src["claimName"])
        return HostVolume(self._pv_path(name, pv), bool(src.get("readOnly")))

    def _ephemeral(self, name: str, src: dict[str, Any]) -> HostVolume:
        claim = f"{self.pod['metadata']['name']}-{name}"
        pv = self._wait_claim(claim, pod_uid=self.pod["metadata"]["uid"])
        return HostVolume(self._pv_path(name, pv))

    def _emptyDir(self, name: str, src: dict[str, Any]) -> HostVolume:
        d = self._vol_dir(name, 0o777)
        if src.get("medium") == "Memory":
            opts = "mode=1777"
            if src.get("sizeLimit"):
                opts += f",size={int(parse_quantity(src['sizeLimit']))}"
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(d)],
                check=True,
                capture_output=True,
            )
            self.tmpfs.append(d)
        if self.fs_group is not None:
            os.chown(d, -1, self.fs_group)
        return HostVolume(str(d))

    def _hostPath(self, name: str, src: dict[str, Any]) -> HostVolume:
        path, kind = src["path"], src.get("type") or ""
        if kind == "DirectoryOrCreate":
            os.makedirs(path, mode=0o755, exist_ok=True)
        elif kind == "FileOrCreate" and not os.path.exists(path):
            os.makedirs(os.path.dirname(path) or "/", exist_ok=True)
            Path(path).touch(mode=0o644)
        checks = {
            "Directory": stat.S_ISDIR,
            "DirectoryOrCreate": stat.S_ISDIR,
            "File": stat.S_ISREG,
            "FileOrCreate": stat.S_ISREG,
            "Socket": stat.S_ISSOCK,
            "CharDevice": stat.S_ISCHR,
            "BlockDevice": stat.S_ISBLK,
        }
        if kind in checks:
            try:
                ok = checks[kind](os.stat(path).st_mode)
            except FileNotFoundError:
                ok = False
            if not ok:
                raise VolumeError(
                    "FailedMount",
                    f'volume "{name}": hostPath type check failed: {path} is not a {kind}',
                )
        return HostVolume(path)

    def _configMap(self, name: str, src: dict[str, Any]) -> HostVolume:
        return self._write_files(name, self._keyed("configMap", src, src.get("defaultMode", 0o644)))

    def _secret(self, name: str, src: dict[str, Any]) -> HostVolume:
        return self._write_files(name, self._keyed("secret", src, src.get("defaultMode", 0o644)))

    def _downwardAPI(self, name: str, src: dict[str, Any]) -> HostVolume:
        mode = src.get("defaultMode", 0o644)
        return self._write_files(name, self._downward_items(src.get("items") or [], mode))

    def _projected(self, name: str, src: dict[str, Any]) -> HostVolume:
        mode = src.get("defaultMode", 0o644)
        files: list[tuple[str, bytes, int]] = []
        for s in src.get("sources") or []:
            if "serviceAccountToken" in s:
                tok = s["serviceAccountToken"]
                files.append((tok["path"], self._token(tok), mode))
            elif "configMap" in s:
                files += self._keyed("configMap", s["configMap"], mode)
            elif "secret" in s:
                files += self._keyed("secret", s["secret"], mode)
            elif "downwardAPI" in s:
                files += self._downward_items(s["downwardAPI"].get("items") or [], mode)
            else:
                raise VolumeError(
                    "UnsupportedVolume",
                    f'volume "{name}": projected source {next(iter(s))} is not supported',
                )
        return self._write_files(name, files)
