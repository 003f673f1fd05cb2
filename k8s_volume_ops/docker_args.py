"""DockerOperator arguments, one by one, as Kubernetes pod and container fields.

Pure functions: each takes a rendered DockerOperator argument and returns the
manifest fragment it becomes, or raises an error that quotes the argument and
says why Kubernetes cannot do it. `podplan` puts the fragments together.
"""

from __future__ import annotations

import ast
import json
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from ._names import LABEL_KEY, label_value
from .errors import SpecError, UnsupportedError
from .quantity import bytes_to_quantity, docker_bytes

__all__ = [
    "capabilities",
    "container_labels",
    "device_limits",
    "dns_config",
    "env_file_values",
    "format_command",
    "host_aliases",
    "ipc_fields",
    "memory_limit",
    "network_fields",
    "port_list",
    "run_as",
]


def format_command(value: str | list[Any] | None, *, origin: str) -> list[str] | None:
    """DockerOperator's rule: a string starting with `[` is a Python list literal,
    any other string is split like a shell would split words (no shell runs)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError) as exc:
                raise SpecError(
                    "a string starting with '[' is read as a list literal, and this one is "
                    f"not valid: {exc}",
                    spec=text,
                    origin=origin,
                    hint="pass a list, or add a leading space-free word before '['",
                ) from exc
        else:
            return shlex.split(value)
    if not isinstance(value, list | tuple):
        raise SpecError("must be a string or a list of strings", spec=value, origin=origin)
    return [str(part) for part in value]


def env_file_values(text: str | None) -> dict[str, str | None]:
    """Parse env_file content with python-dotenv, exactly as DockerOperator does."""
    if not text:
        return {}
    from io import StringIO

    from dotenv import dotenv_values

    return dict(dotenv_values(stream=StringIO(text)))


def memory_limit(mem_limit: float | str | None) -> str | None:
    """`'512m'` -> `'512Mi'` (binary, as Docker reads it); never the Docker string itself."""
    if mem_limit is None:
        return None
    try:
        size = docker_bytes(mem_limit)
    except ValueError as exc:
        raise SpecError(str(exc), spec=mem_limit, origin="mem_limit") from exc
    return bytes_to_quantity(size)


def run_as(user: str | int | None) -> dict[str, int]:
    """`1000`, `'1000'` or `'1000:1000'` -> runAsUser/runAsGroup; a name is refused."""
    if user is None or user == "":
        return {}
    text = str(user)
    uid, _, gid = text.partition(":")
    if not uid.isdigit() or (gid and not gid.isdigit()):
        raise UnsupportedError(
            "Kubernetes runs containers as numeric ids only; a user name is resolved inside "
            "the image by Docker",
            spec=user,
            origin="user",
            hint="use the numeric uid[:gid], e.g. user='1000:1000'",
        )
    fields = {"runAsUser": int(uid)}
    if gid:
        fields["runAsGroup"] = int(gid)
    return fields


def network_fields(network_mode: str | None) -> tuple[dict[str, Any], list[str]]:
    """`host` -> hostNetwork; bridge/default -> the pod network; none/container: refused."""
    if network_mode in (None, "", "bridge", "default"):
        return {}, []
    if network_mode == "host":
        return {"hostNetwork": True, "dnsPolicy": "ClusterFirstWithHostNet"}, []
    if network_mode == "none" or network_mode.startswith("container:"):
        raise UnsupportedError(
            "a pod always has a network, shared by its containers; there is no per-container "
            "network choice",
            spec=network_mode,
            origin="network_mode",
            hint="drop network_mode (the pod network), or use 'host'",
        )
    note = (
        f"network_mode {network_mode!r}: Docker user networks have no pod equivalent; the "
        "pod joins the cluster network and reaches other services by their Service names"
    )
    return {}, [note]


def ipc_fields(ipc_mode: str | None) -> tuple[dict[str, Any], list[str]]:
    """`host` -> hostIPC; other modes are what a pod does anyway."""
    if ipc_mode in (None, ""):
        return {}, []
    if ipc_mode == "host":
        return {"hostIPC": True}, []
    return {}, [f"ipc_mode {ipc_mode!r}: containers of one pod already share IPC; ignored"]


def dns_config(
    dns: list[str] | None, dns_search: list[str] | None
) -> tuple[dict[str, Any], list[str]]:
    """Docker replaces resolv.conf; a pod does that only with dnsPolicy None."""
    if not dns and not dns_search:
        return {}, []
    if dns and len(dns) > 3:
        raise UnsupportedError("Kubernetes allows at most 3 nameservers", spec=dns, origin="dns")
    config: dict[str, Any] = {}
    if dns:
        config["nameservers"] = list(dns)
    if dns_search:
        config["searches"] = list(dns_search)
    if dns:
        note = "dns: the pod uses only these nameservers, so cluster DNS names stop resolving"
        return {"dnsPolicy": "None", "dnsConfig": config}, [note]
    note = "dns_search: Kubernetes appends these to the cluster search list instead of replacing"
    return {"dnsConfig": config}, [note]


def host_aliases(extra_hosts: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """`{host: ip}` -> hostAliases grouped by ip, sorted for stable output."""
    if not extra_hosts:
        return []
    by_ip: dict[str, list[str]] = {}
    for host, ip in sorted(extra_hosts.items()):
        if ip == "host-gateway":
            raise UnsupportedError(
                "host-gateway is Docker's own alias for its host; a pod has no such address",
                spec={host: ip},
                origin="extra_hosts",
            )
        by_ip.setdefault(str(ip), []).append(str(host))
    return [{"ip": ip, "hostnames": hosts} for ip, hosts in sorted(by_ip.items())]


def capabilities(cap_add: Iterable[str] | None) -> list[str]:
    """Docker names (`NET_ADMIN`, `CAP_NET_ADMIN`) -> Kubernetes names (`NET_ADMIN`)."""
    return [c.upper().removeprefix("CAP_") for c in cap_add or ()]


def _request_field(request: Any, api_key: str, attr: str) -> Any:
    if isinstance(request, Mapping):
        return request.get(api_key)
    return getattr(request, attr, None)


def device_limits(device_requests: Iterable[Any] | None) -> dict[str, str]:
    """GPU DeviceRequests -> `nvidia.com/gpu` limits; `count=-1` and device ids refused."""
    total = 0
    for index, request in enumerate(device_requests or ()):
        count = _request_field(request, "Count", "count")
        caps = _request_field(request, "Capabilities", "capabilities") or []
        ids = _request_field(request, "DeviceIDs", "device_ids") or []
        origin = f"device_requests[{index}]"
        if not any("gpu" in group for group in caps):
            raise UnsupportedError(
                "only GPU device requests have a Kubernetes equivalent", spec=request, origin=origin
            )
        if ids or count in (None, -1):
            raise UnsupportedError(
                "Kubernetes schedules a number of GPUs, not 'all' GPUs or given device ids",
                spec=request,
                origin=origin,
                hint="use DeviceRequest(count=N, capabilities=[['gpu']])",
            )
        total += int(count)
    return {"nvidia.com/gpu": str(total)} if total else {}


DOCKER_LABELS_ANNOTATION = "k8s-volume-ops/docker-labels"


def container_labels(
    labels: Mapping[str, str] | list[str] | None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Docker labels -> pod labels when valid label syntax; otherwise annotations.

    A key Kubernetes cannot use at all (annotation keys follow the label-key rules)
    is kept, with its value, in one JSON annotation, so no label is lost.
    """
    if not labels:
        return {}, {}
    pairs = {name: "" for name in labels} if isinstance(labels, list) else dict(labels)
    as_labels: dict[str, str] = {}
    as_annotations: dict[str, str] = {}
    unusable: dict[str, str] = {}
    for key, value in pairs.items():
        text = "" if value is None else str(value)
        if not LABEL_KEY.match(key):
            unusable[key] = text
        elif label_value(text) == text:
            as_labels[key] = text
        else:
            as_annotations[key] = text
    if unusable:
        as_annotations[DOCKER_LABELS_ANNOTATION] = json.dumps(unusable, sort_keys=True)
    return as_labels, as_annotations


def port_list(port_bindings: Mapping[Any, Any] | None) -> list[dict[str, Any]]:
    """`{container_port[/proto]: host_port | (ip, port) | None}` -> container ports."""
    ports = []
    for key, host in (port_bindings or {}).items():
        number, _, proto = str(key).partition("/")
        entry: dict[str, Any] = {"containerPort": int(number), "protocol": (proto or "tcp").upper()}
        if isinstance(host, tuple | list):
            host = host[-1]
        if host not in (None, ""):
            entry["hostPort"] = int(host)
        ports.append(entry)
    return ports
