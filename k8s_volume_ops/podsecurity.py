"""Our own PodSecurity check, run before a pod is submitted.

The apiserver's PodSecurity admission would reject the pod too, but only after the
claims were created and with a message about the pod, not about the Docker input
that caused it. This checks the fields our translation can produce against the
`baseline` and `restricted` levels (Kubernetes Pod Security Standards) and names
the level in each message.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LEVELS", "check_pod_security"]

LEVELS = ("privileged", "baseline", "restricted")
_BASELINE_CAPS = {
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
}
_RESTRICTED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]


def _baseline(spec: dict[str, Any], level: str) -> list[str]:
    problems = []
    for key, docker in (
        ("hostNetwork", "network_mode='host'"),
        ("hostIPC", "ipc_mode='host'"),
        ("hostPID", "pid mode host"),
    ):
        if spec.get(key):
            problems.append(f"{key} ({docker}) is forbidden by PodSecurity level {level!r}")
    for volume in spec.get("volumes") or []:
        if "hostPath" in volume:
            path = volume["hostPath"].get("path")
            problems.append(
                f"hostPath volume {path!r} (a binds rule with hostPath: true) is "
                f"forbidden by PodSecurity level {level!r}"
            )
    for container in _containers(spec):
        context = container.get("securityContext") or {}
        if context.get("privileged"):
            problems.append(f"privileged=True is forbidden by PodSecurity level {level!r}")
        added = set((context.get("capabilities") or {}).get("add") or [])
        extra = sorted(added - _BASELINE_CAPS)
        if extra:
            problems.append(f"cap_add {extra} is forbidden by PodSecurity level {level!r}")
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                problems.append(
                    f"host port {port['hostPort']} (port_bindings) is forbidden by "
                    f"PodSecurity level {level!r}"
                )
    return problems


def _restricted(spec: dict[str, Any]) -> list[str]:
    problems = []
    for volume in spec.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if kinds and not kinds <= _RESTRICTED_VOLUMES:
            problems.append(
                f"volume {volume['name']!r} of type {sorted(kinds)} is forbidden by "
                "PodSecurity level 'restricted' (use a claim: nfs.mode: "
                "persistentVolume)"
            )
    for container in spec.get("containers") or []:
        context = container.get("securityContext") or {}
        added = set((context.get("capabilities") or {}).get("add") or [])
        if added - {"NET_BIND_SERVICE"}:
            problems.append(
                f"cap_add {sorted(added)} is forbidden by PodSecurity level 'restricted'"
            )
    return problems


def check_pod_security(pod: dict[str, Any], level: str | None) -> list[str]:
    """Problems that would make the pod fail admission at `level` (empty: it passes).

    `restricted` also requires runAsNonRoot, a seccomp profile and dropped
    capabilities; those are the user's pod settings, not ours, and are left to the
    apiserver.
    """
    if level not in ("baseline", "restricted"):
        return []
    spec = pod.get("spec") or {}
    problems = _baseline(spec, level)
    if level == "restricted":
        problems += _restricted(spec)
    return problems
