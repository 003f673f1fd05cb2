"""The node agent: registers one Node, heartbeats, and runs the pods bound to it.

It talks to the real apiserver like a kubelet would (admin credentials here):
create the Node and patch its status, renew its Lease in ``kube-node-lease`` so
the node-lifecycle controller keeps it Ready and untainted, list+watch pods with
``spec.nodeName=<node>``, hand each new pod to a ``PodWorker`` and finish
graceful deletions by deleting with grace period 0 and a uid precondition.
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from . import logserver
from .envvars import DEFAULT_PATH, NODE_ALLOCATABLE
from .logfile import rfc3339
from .podworker import MERGE_PATCH, AgentContext, LogEntry, PodWorker

log = logging.getLogger(__name__)
LEASE_SECONDS = 40
LEASE_EVERY = 10.0
STATUS_EVERY = 60.0
MAX_GRACE = 3.0


def _micro_now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


class NodeAgent:
    def __init__(
        self,
        kubeconfig: str,
        node_name: str,
        state_dir: Path,
        port: int,
        tls_cert: str,
        tls_key: str,
        client_ca: str,
    ) -> None:
        self.api = config.new_client_from_config(kubeconfig)
        self.api.configuration.connection_pool_maxsize = 32
        self.core = client.CoreV1Api(self.api)
        self.coord = client.CoordinationV1Api(self.api)
        self.node = node_name
        self.state_dir = state_dir
        self.port = port
        self.tls = (tls_cert, tls_key, client_ca)
        self.workers: dict[str, PodWorker] = {}
        self.finalizing: set[str] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        server = urlsplit(self.api.configuration.host)
        host, api_port = server.hostname or "127.0.0.1", str(server.port or 443)
        base_env = {
            "PATH": DEFAULT_PATH,
            "HOME": "/root",
            "KUBERNETES_SERVICE_HOST": host,
            "KUBERNETES_SERVICE_PORT": api_port,
            "KUBERNETES_SERVICE_PORT_HTTPS": api_port,
            "KUBERNETES_PORT": f"tcp://{host}:{api_port}",
        }
        self.ctx = AgentContext(self.core, node_name, state_dir, base_env, self._any_running)

    # ------------------------------------------------------------ lifecycle
    def run(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.httpd = logserver.serve(self.port, *self.tls, lookup=self._lookup_log)
        self._register()
        threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True).start()
        first = True
        while not self.stopping.is_set():
            try:
                self._list_and_watch(first)
                first = False
            except ApiException as e:
                if e.status != 410:
                    log.warning("watch failed: %s %s", e.status, e.reason)
                    self.stopping.wait(1.0)
            except Exception:
                log.exception("watch loop error; reconnecting")
                self.stopping.wait(1.0)

    def shutdown(self) -> None:
        """Kill every container we started (they live in their own sessions)."""
        self.stopping.set()
        with self.lock:
            workers = list(self.workers.values())
        for w in workers:
            w.request_stop(0.5)
            w.volumes.cleanup()

    # ---------------------------------------------------------------- node
    def _node_status(self) -> dict[str, Any]:
        now = rfc3339()

        def cond(t: str, s: str, r: str, m: str) -> dict[str, str]:
            return {
                "type": t,
                "status": s,
                "reason": r,
                "message": m,
                "lastHeartbeatTime": now,
                "lastTransitionTime": self.registered_at,
            }

        return {
            "capacity": NODE_ALLOCATABLE,
            "allocatable": NODE_ALLOCATABLE,
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "node agent"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "node agent"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "node agent"),
                cond("Ready", "True", "KubeletReady", "node agent is posting ready status"),
            ],
            "addresses": [
                {"type": "InternalIP", "address": "127.0.0.1"},
                {"type": "Hostname", "address": self.node},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": self.port}},
            "nodeInfo": {
                "machineID": "local",
                "systemUUID": "local",
                "bootID": "local",
                "kernelVersion": platform.release(),
                "osImage": "host userland (k8s-volume-ops node agent)",
                "containerRuntimeVersion": "nodeagent://0.1",
                "kubeletVersion": "v1.36.3",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        }

    def _register(self) -> None:
        self.registered_at = rfc3339()
        body = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": self.node,
                "labels": {
                    "kubernetes.io/hostname": self.node,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                },
            },
        }
        try:
            self.core.create_node(body)
        except ApiException as e:
            if e.status != 409:
                raise
        self.core.patch_node_status(
            self.node, {"status": self._node_status()}, _content_type=MERGE_PATCH
        )
        self._renew_lease()

    def _renew_lease(self) -> None:
        spec = {
            "holderIdentity": self.node,
            "leaseDurationSeconds": LEASE_SECONDS,
            "renewTime": _micro_now(),
        }
        try:
            self.coord.patch_namespaced_lease(
                self.node, "kube-node-lease", {"spec": spec}, _content_type=MERGE_PATCH
            )
        except ApiException as e:
            if e.status != 404:
                raise
            node = self.core.read_node(self.node)
            self.coord.create_namespaced_lease(
                "kube-node-lease",
                {
                    "metadata": {
                        "name": self.node,
                        "ownerReferences": [
                            {
                                "apiVersion": "v1",
                                "kind": "Node",
                                "name": self.node,
                                "uid": node.metadata.uid,
                            }
                        ],
                    },
                    "spec": spec,
                },
            )

    def _heartbeat(self) -> None:
        last_status = time.monotonic()
        while not self.stopping.wait(LEASE_EVERY):
            try:
                self._renew_lease()
                if time.monotonic() - last_status >= STATUS_EVERY:
                    self.core.patch_node_status(
                        self.node, {"status": self._node_status()}, _content_type=MERGE_PATCH
                    )
                    last_status = time.monotonic()
            except Exception:
                log.exception("heartbeat failed")

    # ---------------------------------------------------------------- pods
    def _list_and_watch(self, first: bool) -> None:
        selector = f"spec.nodeName={self.node}"
        pods = self.core.list_pod_for_all_namespaces(field_selector=selector)
        seen = set()
        for pod in pods.items:
            d = self.api.sanitize_for_serialization(pod)
            seen.add(d["metadata"]["uid"])
            self._handle("MODIFIED", d, startup=first)
        with self.lock:
            gone = [uid for uid in self.workers if uid not in seen]
        for uid in gone:
            self._forget(uid)
        w = watch.Watch()
        for ev in w.stream(
            self.core.list_pod_for_all_namespaces,
            field_selector=selector,
            resource_version=pods.metadata.resource_version,
            timeout_seconds=300,
            allow_watch_bookmarks=True,
        ):
            if self.stopping.is_set():
                w.stop()
                return
            if ev["type"] in ("ADDED", "MODIFIED", "DELETED"):
                self._handle(ev["type"], self.api.sanitize_for_serialization(ev["object"]))

    def _handle(self, kind: str, pod: dict[str, Any], startup: bool = False) -> None:
        try:
            uid = pod["metadata"]["uid"]
            if kind == "DELETED":
                return self._forget(uid)
            deleting = bool(pod["metadata"].get("deletionTimestamp"))
            phase = (pod.get("status") or {}).get("phase")
            with self.lock:
                known = uid in self.workers
            if deleting:
                return self._finalize_async(pod)
            if known or phase in ("Succeeded", "Failed"):
                return  # running already, or terminal (left alone, also on startup)
            if startup and (pod.get("status") or {}).get("startTime"):
                # Started by an earlier agent process: its containers are gone.
                self._fail_orphan(pod)
                return
            worker = PodWorker(self.ctx, pod)
            with self.lock:
                self.workers[uid] = worker
            worker.start()
        except Exception:
            log.exception("handling %s event failed", kind)

    def _fail_orphan(self, pod: dict[str, Any]) -> None:
        m = pod["metadata"]
        self.core.patch_namespaced_pod_status(
            m["name"],
            m["namespace"],
            {
                "status": {
                    "phase": "Failed",
                    "reason": "NodeAgentRestarted",
                    "message": "the node agent restarted while this pod was running",
                }
            },
            _content_type=MERGE_PATCH,
        )

    def _finalize_async(self, pod: dict[str, Any]) -> None:
        uid = pod["metadata"]["uid"]
        with self.lock:
            if uid in self.finalizing:
                return
            self.finalizing.add(uid)
            worker = self.workers.get(uid)
        grace = min(float(pod["metadata"].get("deletionGracePeriodSeconds") or 0), MAX_GRACE)

        def finalize() -> None:
            try:
                if worker is not None:
                    worker.request_stop(grace)
                    worker.join(timeout=grace + 10)
                    worker.cleanup()
                m = pod["metadata"]
                body = client.V1DeleteOptions(
                    grace_period_seconds=0, preconditions=client.V1Preconditions(uid=uid)
                )
                self.core.delete_namespaced_pod(m["name"], m["namespace"], body=body)
            except ApiException as e:
                if e.status not in (404, 409):
                    log.warning("final delete of %s failed: %s", uid, e.reason)
            except Exception:
                log.exception("finalizing pod %s failed", uid)

        threading.Thread(target=finalize, name=f"finalize-{uid[:8]}", daemon=True).start()

    def _forget(self, uid: str) -> None:
        with self.lock:
            worker = self.workers.pop(uid, None)
            self.finalizing.discard(uid)
        if worker is not None:
            if worker.is_alive():
                worker.request_stop(0.5)
                worker.join(timeout=10)
            worker.cleanup()
        shutil.rmtree(self.state_dir / "pods" / uid, ignore_errors=True)

    def _any_running(self) -> bool:
        with self.lock:
            workers = list(self.workers.values())
        return any(p.popen.poll() is None for w in workers for p in list(w.procs.values()))

    def _lookup_log(self, ns: str, pod: str, ctr: str) -> LogEntry | str | None:
        with self.lock:
            matches = [
                w
                for w in self.workers.values()
                if w.pod["metadata"]["namespace"] == ns and w.pod["metadata"]["name"] == pod
            ]
        if not matches:
            return None
        entry = matches[-1].logs.get(ctr)
        if entry is None:
            return f'container "{ctr}" is not valid for pod "{pod}"'
        return entry


def ensure_root() -> None:
    if os.geteuid() != 0:
        raise SystemExit("the node agent needs root (mount namespaces, bind mounts, tmpfs)")
