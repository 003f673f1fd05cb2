"""Every compose service key that `pod.py` and `services.py` do not read, by table.

A key that shapes the container either becomes a pod or container field here, or
gives a note saying what the pod does instead, or, when the service cannot behave
the same on Kubernetes, a problem. No key is dropped silently:

- `TRANSLATED_ELSEWHERE`: read by `pod.py` (image, command, environment, user, ...),
  `services.py` (volumes, tmpfs, configs, secrets, volumes_from, Kompose labels) or
  the loader (`env_file`).
- `_QUIET`: keys that do not change what runs in the container (`expose`, `attach`).
- `_NOTES`: not translated; the note says what happens instead.
- `_REFUSED`: the service would not behave the same (`ulimits`, `devices`, ...).
- `_BY_VALUE`: the outcome depends on the value (`network_mode: host` is
  `hostNetwork`, `network_mode: "service:db"` is refused, `cap_add` is translated).

A key nobody knows is noted too: a newer compose version may give it a meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import SpecError, UnsupportedError, VolumeOpsError

__all__ = ["TRANSLATED_ELSEWHERE", "ServiceOptions", "flag", "service_options"]

TRANSLATED_ELSEWHERE = frozenset(
    {
        "image",
        "command",
        "entrypoint",
        "environment",
        "env_file",
        "working_dir",
        "user",
        "privileged",
        "read_only",
        "volumes",
        "tmpfs",
        "configs",
        "secrets",
        "volumes_from",
        "labels",
    }
)

_QUIET = frozenset({"attach", "develop", "expose", "label_file"})

_CPU = "CPU settings are not rendered; set resources on the pod's container"
_MEMORY = "memory settings are not rendered; set resources on the pod's container"
_DNS = "the pod uses the cluster DNS; set dnsPolicy/dnsConfig on the pod to change it"
_LINKS = "pods reach each other through Services, not links"
_HOOKS = "lifecycle hooks are not rendered; set lifecycle.postStart/preStop on the container"

_NOTES: dict[str, str] = {
    "annotations": "container annotations are not put on the pod",
    "blkio_config": "block I/O weights and limits have no pod field",
    "cgroup": "the container runtime chooses the cgroup namespace",
    "cgroup_parent": "the kubelet places the pod's cgroup",
    "container_name": "the pod is named after the service; other pods reach it through a "
    "Service, not by container name",
    "cpu_count": _CPU,
    "cpu_percent": _CPU,
    "cpu_shares": _CPU,
    "cpu_period": _CPU,
    "cpu_quota": _CPU,
    "cpu_rt_runtime": _CPU,
    "cpu_rt_period": _CPU,
    "cpus": _CPU,
    "cpuset": _CPU,
    "credential_spec": "Windows gMSA credential specs do not apply to a Linux pod",
    "depends_on": "pods start together: start order and health conditions are not kept",
    "deploy": "replicas, resources, restart policy and placement are not rendered: one pod "
    "per service",
    "device_cgroup_rules": "device cgroup rules have no pod field",
    "dns": _DNS,
    "dns_opt": _DNS,
    "dns_search": _DNS,
    "domainname": "the pod's domain comes from the cluster (a headless Service and subdomain)",
    "extra_hosts": "extra /etc/hosts entries are not rendered; add hostAliases to the pod",
    "group_add": "supplementary groups are not rendered; set securityContext."
    "supplementalGroups (numeric ids) on the pod",
    "healthcheck": "not rendered as a probe; the pod runs once (restartPolicy Never)",
    "hostname": "the pod's hostname is its name; set spec.hostname to change it",
    "init": "no init process is added; the command runs as PID 1",
    "isolation": "Windows isolation modes do not apply to a Linux pod",
    "links": _LINKS,
    "external_links": _LINKS,
    "logging": "logs go to the node's container runtime; the logging driver is not used",
    "mac_address": "the network plugin chooses the pod's MAC address",
    "mem_limit": _MEMORY,
    "mem_reservation": _MEMORY,
    "memswap_limit": _MEMORY,
    "mem_swappiness": _MEMORY,
    "models": "compose models are not rendered",
    "oom_kill_disable": "the kubelet handles out-of-memory kills by the pod's QoS class",
    "oom_score_adj": "the kubelet sets the OOM score from the pod's QoS class",
    "pids_limit": "the process limit is the kubelet's podPidsLimit",
    "platform": "the pod may run on any node; pick nodes with a nodeSelector on kubernetes.io/arch",
    "ports": "published ports are not rendered; expose the pod with a Service",
    "post_start": _HOOKS,
    "pre_stop": _HOOKS,
    "profiles": "the service is rendered whichever profiles are active",
    "provider": "a provider service is run by compose itself; the pod runs only the image",
    "pull_policy": "not rendered; the pod uses Kubernetes' default imagePullPolicy",
    "restart": "the pod runs once (restartPolicy Never)",
    "runtime": "not rendered; set runtimeClassName on the pod",
    "scale": "one pod is rendered per service",
    "security_opt": "seccomp, AppArmor, SELinux and no-new-privileges options are not "
    "rendered; set them in the pod's securityContext",
    "shm_size": "/dev/shm keeps the container runtime's default (64 MiB); mount a memory "
    "emptyDir at /dev/shm for more",
    "stop_grace_period": "not rendered; set terminationGracePeriodSeconds on the pod",
    "stop_signal": "Kubernetes stops the container with SIGTERM (or the image's STOPSIGNAL)",
    "storage_opt": "per-container storage options have no pod field",
    "sysctls": "not rendered; set securityContext.sysctls on the pod (only safe sysctls are "
    "allowed by default)",
    "userns_mode": "not rendered; a pod chooses user namespaces with hostUsers",
    "uts": "the pod has its own UTS namespace",
    "volume_driver": "a service-wide volume driver is not applied; set `driver` on the "
    "top-level volumes",
}

_REFUSED: dict[str, tuple[str, str]] = {
    "ulimits": (
        "a pod cannot set ulimits; they come from the node's container runtime",
        "remove ulimits, or set them on the nodes",
    ),
    "devices": (
        "a pod cannot map host devices into its container",
        "use a device plugin resource, or remove devices",
    ),
    "gpus": (
        "a pod gets GPUs by requesting a device plugin resource, not from the container runtime",
        "remove gpus; request nvidia.com/gpu in the pod's resources",
    ),
    "extends": (
        "extends is not resolved: the service would miss what it inherits",
        "inline the base service (`docker compose config` prints the merged file)",
    ),
    "use_api_socket": (
        "the Docker API socket does not exist in a pod",
        "remove use_api_socket; talk to the Kubernetes API instead",
    ),
}


@dataclass
class ServiceOptions:
    """What the table adds to the pod: container fields, its securityContext, pod fields."""

    container: dict[str, Any] = field(default_factory=dict)
    security: dict[str, Any] = field(default_factory=dict)
    pod: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Any, str, ServiceOptions, list[str], list[VolumeOpsError]], None]


def flag(value: object, origin: str) -> bool:
    """A compose boolean: YAML's, or the string an interpolated `${VAR}` gives."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise SpecError("must be true or false", spec=value, origin=origin)


def _capabilities(kind: str) -> Handler:
    def handle(
        value: Any,
        origin: str,
        options: ServiceOptions,
        notes: list[str],
        problems: list[VolumeOpsError],
    ) -> None:
        if not isinstance(value, list) or not all(isinstance(c, str) and c for c in value):
            raise SpecError("must be a list of capability names", spec=value, origin=origin)
        caps = [c.upper().removeprefix("CAP_") for c in value]
        options.security.setdefault("capabilities", {})[kind] = caps

    return handle


def _container_flag(k8s_key: str) -> Handler:
    def handle(
        value: Any,
        origin: str,
        options: ServiceOptions,
        notes: list[str],
        problems: list[VolumeOpsError],
    ) -> None:
        if flag(value, origin):
            options.container[k8s_key] = True

    return handle


_SHARED = "a pod's {what} is shared by its own containers only; it cannot join another pod's"


def _namespace(what: str, host_field: str, quiet: tuple[str, ...]) -> Handler:
    """network_mode, ipc, pid: `host` joins the node's namespace; sharing another
    service's or container's namespace is refused (each service is its own pod)."""

    def handle(
        value: Any,
        origin: str,
        options: ServiceOptions,
        notes: list[str],
        problems: list[VolumeOpsError],
    ) -> None:
        mode = str(value)
        if mode in quiet:
            return
        if mode == "host":
            options.pod[host_field] = True
            if host_field == "hostNetwork":
                options.pod["dnsPolicy"] = "ClusterFirstWithHostNet"
            return
        if mode.startswith(("service:", "container:")) or (what == "network" and mode == "none"):
            key = origin.rpartition(".")[2]
            if mode == "none":
                reason = "a pod always has a network; there is no container without one"
                hint = f"drop {key} (the pod network)"
            else:
                reason = _SHARED.format(what=f"{what} namespace")
                hint = (
                    f"drop {key} (the pod's own), or use 'host'; containers that must share "
                    f"a {what} namespace belong in one pod"
                )
            problems.append(UnsupportedError(reason, spec=value, origin=origin, hint=hint))
            return
        notes.append(
            f"{origin}: {value!r}: not translated; the pod keeps its own {what} namespace"
            + (" and joins the cluster network" if what == "network" else "")
        )

    return handle


def _networks(
    value: Any,
    origin: str,
    options: ServiceOptions,
    notes: list[str],
    problems: list[VolumeOpsError],
) -> None:
    names = list(value) if isinstance(value, list | Mapping) else [value]
    if names and names != ["default"]:
        notes.append(
            f"{origin}: {[str(n) for n in names]}: the pod joins the cluster network; services "
            "reach each other through Services (aliases and fixed addresses are not kept)"
        )


def _build(
    value: Any,
    origin: str,
    options: ServiceOptions,
    notes: list[str],
    problems: list[VolumeOpsError],
) -> None:
    # without `image:`, pod.py refuses the service; with it, the build is not run
    notes.append(f"{origin}: not run; the pod pulls `image:` from a registry")


_BY_VALUE: dict[str, Handler] = {
    "build": _build,
    "cap_add": _capabilities("add"),
    "cap_drop": _capabilities("drop"),
    "tty": _container_flag("tty"),
    "stdin_open": _container_flag("stdin"),
    "network_mode": _namespace("network", "hostNetwork", ("", "bridge", "default")),
    "ipc": _namespace("IPC", "hostIPC", ("", "private", "shareable")),
    "pid": _namespace("PID", "hostPID", ("",)),
    "networks": _networks,
}


def _shown(value: object) -> str:
    text = repr(value)
    return f" {text}:" if len(text) <= 60 else ""


def service_options(
    body: Mapping[str, Any], origin: str, notes: list[str], problems: list[VolumeOpsError]
) -> ServiceOptions:
    """Translate, note or refuse each key of the service that pod.py and services.py
    do not read; `origin` is `services.<name>`."""
    options = ServiceOptions()
    for key, value in body.items():
        name = str(key)
        if name.startswith("x-") or name in TRANSLATED_ELSEWHERE or name in _QUIET:
            continue
        if value is None or value == [] or value == {}:
            continue
        where = f"{origin}.{name}"
        try:
            if name in _BY_VALUE:
                _BY_VALUE[name](value, where, options, notes, problems)
            elif name in _REFUSED:
                reason, hint = _REFUSED[name]
                problems.append(UnsupportedError(reason, spec=value, origin=where, hint=hint))
            elif name in _NOTES:
                notes.append(f"{where}:{_shown(value)} not translated: {_NOTES[name]}")
            else:
                notes.append(f"{where}: not a compose service key k8s-volume-ops knows; ignored")
        except VolumeOpsError as exc:
            problems.append(exc)
    return options
