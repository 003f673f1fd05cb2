"""DockerOperator arguments, one by one, as Kubernetes pod and container fields.

Pure functions: each takes a rendered DockerOperator argument and returns the
manifest fragment it becomes, or raises an error that quotes the argument and
says why Kubernetes cannot do it. `podplan` puts the fragments together.
"""

from __future__ import annotations

import ast
import ipaddress
import json
import math
import re
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from ._names import LABEL_KEY, label_value
from .errors import SpecError, UnsupportedError
from .quantity import bytes_to_quantity, docker_bytes

__all__ = [
    "capabilities",
    "container_labels",
    "cpu_request",
    "device_limits",
    "dns_config",
    "env_file_values",
    "environment_values",
    "format_command",
    "host_aliases",
    "image_name",
    "ipc_fields",
    "memory_limit",
    "network_fields",
    "pod_name",
    "port_list",
    "run_as",
    "string_list",
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
            return _shell_words(value, origin)
    if not isinstance(value, list | tuple):
        raise SpecError("must be a string or a list of strings", spec=value, origin=origin)
    return [str(part) for part in value]


def _shell_words(text: str, origin: str) -> list[str]:
    """shlex, as DockerOperator splits a string; its bare ValueError quoted and located."""
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise SpecError(
            f"cannot be split into words as a shell would: {exc}",
            spec=text,
            origin=origin,
            hint="close the quote, or pass a list of words",
        ) from exc


def string_list(value: str | Iterable[Any] | None, *, origin: str) -> list[str]:
    """A list argument (dns, dns_search, cap_add); a single string is one item.

    Iterating a string would make one item per character, which nobody means.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if not isinstance(value, list | tuple | set | frozenset):
        raise SpecError("must be a string or a list of strings", spec=value, origin=origin)
    bad = [item for item in value if not isinstance(item, str)]
    if bad:
        raise SpecError(f"every item must be a string, not {bad[0]!r}", spec=value, origin=origin)
    return list(value)


def environment_values(
    value: Mapping[str, Any] | list[Any] | None, *, origin: str
) -> dict[str, Any]:
    """`{KEY: value}` or, as Docker's API also takes it, `['KEY=value', ...]`.

    A list item without `=` unsets the variable in Docker, so it maps to None (left
    out, with a note, like a None value in a dict).
    """
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    if not isinstance(value, list | tuple):
        raise SpecError(
            "must be a dict or a list of 'KEY=value' strings", spec=value, origin=origin
        )
    result: dict[str, Any] = {}
    for item in value:
        if not isinstance(item, str) or not item.partition("=")[0]:
            raise SpecError(
                f"a list item must be a 'KEY=value' string, not {item!r}", spec=value, origin=origin
            )
        key, sep, text = item.partition("=")
        result[key] = text if sep else None
    return result


def cpu_request(cpus: float | str | None) -> str | None:
    """Docker's CPU weight (`cpus * 1024` shares) as a request; a number or numeric string."""
    if cpus is None or cpus == "":
        return None
    try:
        number = float(cpus)
    except (TypeError, ValueError) as exc:
        raise SpecError("must be a number of CPUs, such as 0.5", spec=cpus, origin="cpus") from exc
    if not math.isfinite(number) or number < 0:
        raise SpecError("must be a finite number of CPUs, not negative", spec=cpus, origin="cpus")
    return None if round(number * 1024) == 0 else f"{number:g}"


_DOCKER_NAME = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")


def pod_name(container_name: str | None) -> str | None:
    """The pod name KPO derives from a Docker container name (lower case, other
    characters as `-`), after Docker's own rule for container names, so that a name
    Docker would refuse is refused here too instead of failing inside KPO."""
    if container_name is None or container_name == "":
        return None
    text = str(container_name)
    if not _DOCKER_NAME.match(text):
        raise SpecError(
            "Docker container names match [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two "
            "characters); the pod name is derived from it",
            spec=container_name,
            origin="container_name",
        )
    return re.sub(r"[^a-z0-9-]+", "-", text.removeprefix("/").lower())


def image_name(image: str | None) -> str:
    """The image; an empty one would make a pod Kubernetes rejects, so it is refused here."""
    if not isinstance(image, str) or not image.strip():
        raise SpecError("an image name is required", spec=image, origin="image")
    return image


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
    dns: list[str] | str | None, dns_search: list[str] | str | None
) -> tuple[dict[str, Any], list[str]]:
    """Docker replaces resolv.conf; a pod does that only with dnsPolicy None."""
    dns = string_list(dns, origin="dns")
    dns_search = string_list(dns_search, origin="dns_search")
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


def _host_pairs(extra_hosts: Mapping[str, Any] | list[Any]) -> list[tuple[str, str]]:
    """docker-py takes `{host: ip}` or, passed through to the API, `['host:ip', ...]`
    (split at the first `:`, so an IPv6 address keeps its colons)."""
    if isinstance(extra_hosts, Mapping):
        return [(str(host), str(ip)) for host, ip in extra_hosts.items()]
    if not isinstance(extra_hosts, list | tuple):
        raise SpecError(
            "must be a dict {host: ip} or a list of 'host:ip' strings",
            spec=extra_hosts,
            origin="extra_hosts",
        )
    pairs = []
    for item in extra_hosts:
        host, sep, ip = item.partition(":") if isinstance(item, str) else ("", "", "")
        if not (host and sep and ip):
            raise SpecError(
                f"a list item must be a 'host:ip' string, not {item!r}",
                spec=extra_hosts,
                origin="extra_hosts",
            )
        pairs.append((host, ip))
    return pairs


def host_aliases(extra_hosts: Mapping[str, Any] | list[Any] | None) -> list[dict[str, Any]]:
    """`{host: ip}` or `['host:ip']` -> hostAliases grouped by ip, sorted for stable output."""
    if not extra_hosts:
        return []
    by_ip: dict[str, list[str]] = {}
    for host, ip in sorted(_host_pairs(extra_hosts)):
        if ip == "host-gateway":
            raise UnsupportedError(
                "host-gateway is Docker's own alias for its host; a pod has no such address",
                spec={host: ip},
                origin="extra_hosts",
            )
        try:
            address = str(ipaddress.ip_address(ip.removeprefix("[").removesuffix("]")))
        except ValueError as exc:
            raise SpecError(
                f"{ip!r} is not an IP address (Docker and Kubernetes both need one)",
                spec={host: ip},
                origin="extra_hosts",
            ) from exc
        by_ip.setdefault(address, []).append(host)
    return [{"ip": ip, "hostnames": hosts} for ip, hosts in sorted(by_ip.items())]


def capabilities(cap_add: Iterable[str] | str | None) -> list[str]:
    """Docker names (`NET_ADMIN`, `CAP_NET_ADMIN`) -> Kubernetes names (`NET_ADMIN`)."""
    return [c.upper().removeprefix("CAP_") for c in string_list(cap_add, origin="cap_add")]


def _request_field(request: Any, api_key: str, attr: str) -> Any:
    """A DeviceRequest is a dict of API keys (`Count`); docker-py also turns a plain
    dict of its keyword names (`count`) into one, so both spellings are read."""
    if isinstance(request, Mapping):
        return request.get(api_key, request.get(attr))
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
