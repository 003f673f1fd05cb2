"""Run one pod: volumes, init containers in order, then all containers, with status.

Status is written with JSON merge patches to ``pods/status`` so that what
clients see (phase, conditions, containerStatuses with running/terminated
states, podIP) follows the real kubelet closely. restartPolicy ``OnFailure`` and
``Always`` are treated like ``Never``: a failed container fails the pod.
Probes are not run; a running container counts as ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes.client import CoreV1Api
from kubernetes.client.rest import ApiException

from .envvars import ConfigError, container_command, container_env
from .logfile import rfc3339
from .runner import ContainerProcess, launch, remove_created
from .volumes import HostVolume, PodVolumes, VolumeError

log = logging.getLogger(__name__)
MERGE_PATCH = "application/merge-patch+json"


@dataclass
class LogEntry:
    """What the log endpoint needs to know about one container."""

    path: Path
    started: bool = False
    finished: threading.Event = field(default_factory=threading.Event)


@dataclass
class AgentContext:
    core: CoreV1Api
    node_name: str
    state_dir: Path
    base_env: dict[str, str]
    any_running: Callable[[], bool]


class PodFailed(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


class PodWorker(threading.Thread):
    """Thread owning one pod (by uid) from admission until deletion."""

    def __init__(self, ctx: AgentContext, pod: dict[str, Any]) -> None:
        meta = pod["metadata"]
        super().__init__(name=f"pod-{meta['namespace']}/{meta['name']}", daemon=True)
        self.ctx, self.pod = ctx, pod
        self.uid: str = meta["uid"]
        self.dir = ctx.state_dir / "pods" / self.uid
        self.stop_requested = threading.Event()
        self.grace = 2.0
        self.procs: dict[str, ContainerProcess] = {}
        self.logs: dict[str, LogEntry] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.init_names = [c["name"] for c in pod["spec"].get("initContainers") or []]
        self.sidecars: list[ContainerProcess] = []
        self.volumes = PodVolumes(ctx.core, pod, self.dir, self.stop_requested)
        self.start_time = rfc3339()
        self.lock = threading.Lock()
        for c in (pod["spec"].get("initContainers") or []) + pod["spec"]["containers"]:
            self.logs[c["name"]] = LogEntry(self.dir / "logs" / f"{c['name']}.log")
            reason = (
                "PodInitializing"
                if self.init_names and c["name"] not in self.init_names
                else "ContainerCreating"
            )
            self.statuses[c["name"]] = {
                "name": c["name"],
                "image": c.get("image", ""),
                "imageID": c.get("image", ""),
                "ready": False,
                "restartCount": 0,
                "started": False,
                "state": {"waiting": {"reason": reason}},
            }

    # ------------------------------------------------------------- control
    def request_stop(self, grace: float) -> None:
        """Kill all containers (graceful deletion); returns when they are gone."""
        self.grace = grace
        self.stop_requested.set()
        with self.lock:
            procs = list(self.procs.values())
        for p in procs:
            p.kill(grace)

    def cleanup(self) -> None:
        self.volumes.cleanup()
        if not self.ctx.any_running():
            for p in self.procs.values():
                remove_created(p.created_paths())

    # ---------------------------------------------------------------- run
    def run(self) -> None:
        try:
            self._patch("Pending")
            mounts = self.volumes.prepare()
            self._conditions_ready_to_start = True
            for ctr in self.pod["spec"].get("initContainers") or []:
                proc = self._start(ctr, mounts)
                self._patch("Pending")
                if ctr.get("restartPolicy") == "Always":
                    self.sidecars.append(proc)  # a native sidecar: runs beside the main ones
                    continue
                if self._wait([proc], init=True) != 0:
                    return
            self.initialized = True
            procs = [self._start(c, mounts) for c in self.pod["spec"]["containers"]]
            self._patch("Running")
            self._wait(procs, init=False)
        except (PodFailed, VolumeError) as e:
            self._fail(e.reason, e.message)
        except Exception as e:  # one bad pod must not take the agent down
            log.exception("pod %s failed in the agent", self.pod_ref)
            self._fail("NodeAgentError", f"{type(e).__name__}: {e}")
        finally:
            with self.lock:
                leftovers = [p for p in self.procs.values() if p.poll() is None]
            for p in leftovers:  # e.g. a later container failed to configure
                p.kill(self.grace)
            for entry in self.logs.values():
                entry.finished.set()

    def _fail(self, reason: str, message: str) -> None:
        """Fail the pod; containers that never started show the reason (kubectl STATUS)."""
        for st in self.statuses.values():
            waiting = st["state"].get("waiting")
            if waiting is not None and reason and waiting.get("reason") != ConfigError.reason:
                st["state"] = {"waiting": {"reason": reason, "message": message}}
        self._patch("Failed", reason, message)

    @property
    def pod_ref(self) -> str:
        return f"{self.pod['metadata']['namespace']}/{self.pod['metadata']['name']}"

    _conditions_ready_to_start = False
    initialized = False

    def _start(self, ctr: dict[str, Any], vols: dict[str, HostVolume]) -> ContainerProcess:
        if self.stop_requested.is_set():
            raise PodFailed("Terminated", "pod is being deleted")
        name = ctr["name"]
        try:
            env = container_env(self.ctx.core, self.pod, ctr, self.ctx.base_env)
            spec = self._launch_spec(ctr, vols, env)
        except (ConfigError, PodFailed) as e:
            self.statuses[name]["state"] = {
                "waiting": {"reason": ConfigError.reason, "message": str(e)}
            }
            raise PodFailed(ConfigError.reason, f"container {name}: {e}") from None
        proc = launch(name, self.dir / "containers" / name, self.logs[name].path, spec)
        with self.lock:
            self.procs[name] = proc
        self.logs[name].started = True
        st = self.statuses[name]
        st.update(
            started=True,
            ready=True,
            containerID=proc.container_id,
            state={"running": {"startedAt": proc.started_at}},
        )
        return proc

    def _launch_spec(
        self, ctr: dict[str, Any], vols: dict[str, HostVolume], env: dict[str, str]
    ) -> dict[str, Any]:
        if not ctr.get("command") and not ctr.get("args"):
            raise PodFailed(
                "",
                f"no command or args set for image {ctr.get('image')!r}: the node agent runs "
                "commands on the host and cannot know an image's entrypoint or CMD",
            )
        mounts = []
        for vm in ctr.get("volumeMounts") or []:
            vol = vols.get(vm["name"])
            if vol is None:
                raise PodFailed("", f"volumeMount {vm['name']!r} refers to no volume")
            source = vol.path
            if vm.get("subPath") or vm.get("subPathExpr"):
                sub = vm.get("subPath") or _expand_subpath(vm["subPathExpr"], env)
                source = str(Path(vol.path) / sub)
                if not Path(source).exists():
                    Path(source).mkdir(parents=True, mode=0o755)
            mounts.append(
                {
                    "source": source,
                    "mountPath": vm["mountPath"],
                    "readOnly": bool(vm.get("readOnly")) or vol.read_only,
                }
            )
        psc = self.pod["spec"].get("securityContext") or {}
        csc = ctr.get("securityContext") or {}
        uid = csc.get("runAsUser", psc.get("runAsUser"))
        gid = csc.get("runAsGroup", psc.get("runAsGroup"))
        if csc.get("runAsNonRoot", psc.get("runAsNonRoot")) and not uid:
            raise ConfigError("container has runAsNonRoot and would run as root (set runAsUser)")
        groups = list(psc.get("supplementalGroups") or [])
        if psc.get("fsGroup") is not None:
            groups.append(psc["fsGroup"])
        if uid is not None and gid is None:
            gid = uid if uid else 0
        env = dict(env)
        return {
            "mounts": mounts,
            "env": env,
            "command": container_command(ctr, env),
            "workingDir": ctr.get("workingDir") or "/",
            "uid": uid,
            "gid": gid,
            "groups": groups,
        }

    def _wait(self, procs: list[ContainerProcess], init: bool) -> int:
        """Wait for all ``procs``; 0 iff all succeeded.

        Each exit is written to the pod status *before* the container's log
        stream is closed: a log follower (KubernetesPodOperator) that checks the
        container state when its stream ends must already see it terminated,
        otherwise it re-reads and duplicates the last second of logs.
        """
        pending = list(procs)
        worst = 0
        while pending:
            ended = []
            for p in list(pending):
                code = p.poll()
                if code is None:
                    continue
                pending.remove(p)
                ended.append(p)
                worst = worst or code
                term: dict[str, Any] = {
                    "exitCode": code,
                    "reason": "Completed" if code == 0 else "Error",
                    "startedAt": p.started_at,
                    "finishedAt": p.finished_at,
                    "containerID": p.container_id,
                }
                err = p.start_error()
                if err:
                    term.update(reason="StartError", message=err)
                self.statuses[p.name].update(ready=False, state={"terminated": term})
            if ended:
                if pending:
                    phase = "Pending" if init else "Running"
                elif init:
                    phase = "Pending" if worst == 0 else "Failed"
                else:
                    phase = "Succeeded" if worst == 0 else "Failed"
                    self._stop_sidecars()
                self._patch(phase)
                for p in ended:
                    self.logs[p.name].finished.set()
            else:
                time.sleep(0.05)
        return worst

    def _stop_sidecars(self) -> None:
        """As the kubelet does once the main containers ended: SIGTERM the native
        sidecars (init containers with restartPolicy Always) and record their exit,
        before the pod's phase becomes final."""
        for proc in self.sidecars:
            proc.kill(self.grace)
            code = proc.poll()
            self.statuses[proc.name].update(
                ready=False,
                state={
                    "terminated": {
                        "exitCode": code,
                        "reason": "Completed" if code == 0 else "Error",
                        "startedAt": proc.started_at,
                        "finishedAt": proc.finished_at,
                        "containerID": proc.container_id,
                    }
                },
            )
            self.logs[proc.name].finished.set()

    # -------------------------------------------------------------- status
    def _conditions(self, phase: str) -> list[dict[str, Any]]:
        now = rfc3339()
        main = [self.statuses[c["name"]] for c in self.pod["spec"]["containers"]]
        all_ready = phase == "Running" and all(s["ready"] for s in main)
        done = phase in ("Succeeded", "Failed")
        want = {
            "PodReadyToStartContainers": (self._conditions_ready_to_start, ""),
            "Initialized": (
                self.initialized or not self.init_names,
                "" if self.initialized or not self.init_names else "ContainersNotInitialized",
            ),
            "ContainersReady": (
                all_ready,
                "" if all_ready else ("PodCompleted" if done else "ContainersNotReady"),
            ),
            "Ready": (
                all_ready,
                "" if all_ready else ("PodCompleted" if done else "ContainersNotReady"),
            ),
            "PodScheduled": (True, ""),
        }
        old = {c["type"]: c for c in (self.pod.get("status") or {}).get("conditions") or []}
        out = [c for t, c in old.items() if t not in want]
        for ctype, (ok, reason) in want.items():
            status = "True" if ok else "False"
            prev = old.get(ctype)
            cond: dict[str, Any] = {
                "type": ctype,
                "status": status,
                "lastProbeTime": None,
                "lastTransitionTime": prev["lastTransitionTime"]
                if prev and prev.get("status") == status
                else now,
            }
            if reason:
                cond["reason"] = reason
            out.append(cond)
        for c in out:
            old[c["type"]] = c
        self.pod.setdefault("status", {})["conditions"] = out
        return out

    def _patch(self, phase: str, reason: str = "", message: str = "") -> None:
        spec = self.pod["spec"]
        status: dict[str, Any] = {
            "phase": phase,
            "conditions": self._conditions(phase),
            "hostIP": "127.0.0.1",
            "hostIPs": [{"ip": "127.0.0.1"}],
            "podIP": "127.0.0.1",
            "podIPs": [{"ip": "127.0.0.1"}],
            "startTime": self.start_time,
            "containerStatuses": [self.statuses[c["name"]] for c in spec["containers"]],
            "reason": reason or None,
            "message": message or None,
        }
        if self.init_names:
            status["initContainerStatuses"] = [self.statuses[n] for n in self.init_names]
        meta = self.pod["metadata"]
        try:
            self.ctx.core.patch_namespaced_pod_status(
                meta["name"], meta["namespace"], {"status": status}, _content_type=MERGE_PATCH
            )
        except ApiException as e:
            if e.status not in (404, 409):
                log.warning("status patch for %s failed: %s %s", self.pod_ref, e.status, e.body)


def _expand_subpath(expr: str, env: dict[str, str]) -> str:
    from .envvars import expand

    return expand(expr, env)
