"""Container environment and downward-API values, resolved the way the kubelet does.

Order: ``envFrom`` sources first, then ``env`` entries (later ones win), with
``$(VAR)`` references expanded against variables defined earlier; ``command``
and ``args`` are expanded against the final environment. A missing, non-optional
Secret/ConfigMap or key is a ``CreateContainerConfigError``; unlike a kubelet,
which keeps retrying, the agent fails the pod at once so tests do not hang.
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any

from kubernetes.client import CoreV1Api
from kubernetes.client.rest import ApiException
from kubernetes.utils import parse_quantity

NODE_ALLOCATABLE = {"cpu": "2", "memory": "20Gi", "ephemeral-storage": "50Gi", "pods": "110"}
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ConfigError(Exception):
    """The container cannot be configured; reported as CreateContainerConfigError."""

    reason = "CreateContainerConfigError"


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes ``$(VAR)`` expansion: ``$$`` escapes, unknown references stay as-is."""

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))

    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", repl, value)


def field_value(pod: dict[str, Any], path: str) -> str:
    """Value of a downward-API ``fieldRef.fieldPath``."""
    meta, spec = pod["metadata"], pod["spec"]
    m = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if m:
        return str((meta.get(m.group(1)) or {}).get(m.group(2), ""))
    if path in ("metadata.labels", "metadata.annotations"):
        items = sorted((meta.get(path.split(".")[1]) or {}).items())
        return "\n".join(f'{k}="{v}"' for k, v in items)
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.hostIP": "127.0.0.1",
        "status.hostIPs": "127.0.0.1",
        "status.podIP": "127.0.0.1",
        "status.podIPs": "127.0.0.1",
    }
    if path not in simple:
        raise ConfigError(f"unsupported fieldRef fieldPath {path!r}")
    return str(simple[path])


def resource_value(pod: dict[str, Any], container: str, ref: dict[str, Any]) -> str:
    """Value of a ``resourceFieldRef``: the container's limit/request, else node allocatable."""
    kind, _, name = ref["resource"].partition(".")
    ctr: dict[str, Any] = next(
        (
            c
            for c in pod["spec"]["containers"] + pod["spec"].get("initContainers", [])
            if c["name"] == (ref.get("containerName") or container)
        ),
        {},
    )
    res = (ctr.get("resources") or {}).get(kind) or {}
    raw = res.get(name) or NODE_ALLOCATABLE.get(name)
    if raw is None:
        raise ConfigError(f"unsupported resourceFieldRef {ref['resource']!r}")
    divisor = parse_quantity(ref.get("divisor") or "1")
    return str(math.ceil(parse_quantity(raw) / divisor))


def _lookup(
    core: CoreV1Api, kind: str, ns: str, name: str, optional: bool
) -> dict[str, str] | None:
    try:
        if kind == "Secret":
            obj = core.read_namespaced_secret(name, ns)
            return {
                k: base64.b64decode(v).decode("utf-8", "replace")
                for k, v in (obj.data or {}).items()
            }
        obj = core.read_namespaced_config_map(name, ns)
        return dict(obj.data or {})
    except ApiException as e:
        if e.status == 404:
            if optional:
                return None
            raise ConfigError(f'{kind.lower()} "{name}" not found') from None
        raise


def container_env(
    core: CoreV1Api, pod: dict[str, Any], ctr: dict[str, Any], base: dict[str, str]
) -> dict[str, str]:
    """Full environment of ``ctr``: ``base`` (PATH, HOSTNAME, service vars) plus its own."""
    ns = pod["metadata"]["namespace"]
    env = dict(base)
    for src in ctr.get("envFrom") or []:
        prefix = src.get("prefix", "")
        for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            ref = src.get(key)
            if ref:
                data = _lookup(core, kind, ns, ref["name"], bool(ref.get("optional")))
                env.update({prefix + k: v for k, v in (data or {}).items()})
    for item in ctr.get("env") or []:
        name, vf = item["name"], item.get("valueFrom")
        if vf is None:
            env[name] = expand(item.get("value", ""), env)
        elif "fieldRef" in vf:
            env[name] = field_value(pod, vf["fieldRef"]["fieldPath"])
        elif "resourceFieldRef" in vf:
            env[name] = resource_value(pod, ctr["name"], vf["resourceFieldRef"])
        else:
            key = "secretKeyRef" if "secretKeyRef" in vf else "configMapKeyRef"
            if key not in vf:
                raise ConfigError(f"env {name}: unsupported valueFrom {sorted(vf)}")
            ref = vf[key]
            kind = "Secret" if key == "secretKeyRef" else "ConfigMap"
            data = _lookup(core, kind, ns, ref["name"], bool(ref.get("optional")))
            if data is None:
                continue
            if ref["key"] not in data:
                if ref.get("optional"):
                    continue
                raise ConfigError(f"couldn't find key {ref['key']} in {kind} {ns}/{ref['name']}")
            env[name] = data[ref["key"]]
    return env


def container_command(ctr: dict[str, Any], env: dict[str, str]) -> list[str]:
    return [expand(a, env) for a in (ctr.get("command") or []) + (ctr.get("args") or [])]
