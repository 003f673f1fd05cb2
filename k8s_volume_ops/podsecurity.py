"""Our own PodSecurity check, run before a pod is submitted, and the fields that
`restricted` requires.

The apiserver's PodSecurity admission would reject the pod too, but only after the
claims were created and with a message about the pod, not about the Docker input
that caused it. This checks the fields our translation can produce against the
`baseline` and `restricted` levels (Kubernetes Pod Security Standards) and names
the level in each message.

`restricted` also wants fields no Docker input sets (no privilege escalation, all
capabilities dropped, a non-root user, a seccomp profile). When the policy says
`podSecurity: restricted`, `harden` fills in those the user left unset, so a plain
task is admitted; what the user set against them is refused by the check.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LEVELS", "check_pod_security", "harden", "run_as_root_note"]

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
    """What `restricted` adds to `baseline` that a Docker input can cause."""
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
        allowed_by_baseline = sorted((added & _BASELINE_CAPS) - {"NET_BIND_SERVICE"})
        if allowed_by_baseline:  # the rest is reported by the baseline check
            problems.append(
                f"cap_add {allowed_by_baseline} is forbidden by PodSecurity level 'restricted' "
                "(only NET_BIND_SERVICE may be added)"
            )
        if context.get("runAsUser") == 0 or (
            "runAsUser" not in context and (spec.get("securityContext") or {}).get("runAsUser") == 0
        ):
            problems.append("user 0 (root) is forbidden by PodSecurity level 'restricted'")
    return problems


def _hardening(spec: dict[str, Any]) -> list[str]:
    """The `restricted` fields that no Docker input sets (see `harden`)."""
    problems = []
    pod = spec.get("securityContext") or {}
    for container in _containers(spec):
        context = container.get("securityContext") or {}
        where = f"container {container.get('name')!r}"
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: allowPrivilegeEscalation must be false")
        if "ALL" not in ((context.get("capabilities") or {}).get("drop") or []):
            problems.append(f"{where}: capabilities must drop ALL")
        if context.get("runAsNonRoot", pod.get("runAsNonRoot")) is not True:
            problems.append(f"{where}: runAsNonRoot must be true")
        profile = (context.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
        if profile not in ("RuntimeDefault", "Localhost"):
            problems.append(f"{where}: seccompProfile must be RuntimeDefault or Localhost")
    return [
        f"{p} under PodSecurity level 'restricted' (podSecurity: restricted in the storage "
        "policy sets what is unset)"
        for p in problems
    ]


def harden(pod: dict[str, Any]) -> dict[str, Any]:
    """Set the `restricted` fields the pod leaves unset; explicit settings are kept."""
    spec = pod.setdefault("spec", {})
    context = spec.get("securityContext") or {}
    context.setdefault("runAsNonRoot", True)
    context.setdefault("seccompProfile", {"type": "RuntimeDefault"})
    spec["securityContext"] = context
    for container in _containers(spec):
        own = container.get("securityContext") or {}
        own.setdefault("allowPrivilegeEscalation", False)
        capabilities = own.get("capabilities") or {}
        if not capabilities.get("drop"):
            capabilities["drop"] = ["ALL"]
        own["capabilities"] = capabilities
        container["securityContext"] = own
    return pod


def check_pod_security(
    pod: dict[str, Any], level: str | None, *, hardening: bool = True
) -> list[str]:
    """Problems that would make the pod fail admission at `level` (empty: it passes).

    `hardening=False` leaves out `restricted`'s required fields, to ask only whether
    a Docker input made the pod something a level rejects.
    """
    if level not in ("baseline", "restricted"):
        return []
    spec = pod.get("spec") or {}
    problems = _baseline(spec, level)
    if level == "restricted":
        problems += _restricted(spec)
        if hardening:
            problems += _hardening(spec)
    return problems


def run_as_root_note(container: dict[str, Any]) -> str | None:
    """`harden` asks for a non-root user without naming one; an image whose user is
    root (busybox, python, ...) is then admitted but never started by the kubelet."""
    if "runAsUser" in (container.get("securityContext") or {}):
        return None
    return (
        "podSecurity: restricted sets runAsNonRoot: true, and no user is given: the image "
        "must run as a non-root user, or the kubelet will not start it (set user='1000')"
    )
