"""Start and stop a real local Kubernetes control plane plus our node agent.

Real: etcd, kube-apiserver, kube-controller-manager, kube-scheduler (built by
``tests/cluster/build.sh``). Simulated: only the kubelet, by
``tests/cluster/node_agent``, which runs containers as host processes.

CLI::

    python tests/cluster/localcluster.py up [--dir DIR]    # prints kubeconfig path
    python tests/cluster/localcluster.py status [--dir DIR]
    python tests/cluster/localcluster.py down [--dir DIR]

API (pytest fixtures)::

    with LocalCluster(workdir) as kubeconfig: ...
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import ssl
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cluster_pki import Pki, ensure_pki, write_kubeconfig  # noqa: E402
from cluster_procs import PidFile, Proc, free_port, is_alive, spawn, terminate  # noqa: E402

REPO_ROOT = HERE.parent.parent
DEFAULT_DIR = REPO_ROOT / ".cache" / "local-cluster"
CACHE_BIN = (
    Path(os.environ.get("K8S_VOLUME_OPS_CACHE", Path.home() / ".cache" / "k8s-volume-ops")) / "bin"
)
NODE_NAME = "local-node"
SA_ISSUER = "https://kubernetes.default.svc.cluster.local"

AUDIT_POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
"""

STORAGE_CLASS = {
    "apiVersion": "storage.k8s.io/v1",
    "kind": "StorageClass",
    "metadata": {
        "name": "standard",
        "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
    },
    "provisioner": "kubernetes.io/host-path",
    "reclaimPolicy": "Delete",
    "volumeBindingMode": "Immediate",
}


def binary(name: str) -> str:
    """Path of a component: the build cache first, then PATH (e.g. Debian's etcd)."""
    cached = CACHE_BIN / name
    if cached.is_file() and os.access(cached, os.X_OK):
        return str(cached)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found in {CACHE_BIN} or PATH; run tests/cluster/build.sh")


class LocalCluster:
    """A control plane + node agent whose state, logs and PIDs live in ``workdir``."""

    def __init__(self, workdir: Path = DEFAULT_DIR) -> None:
        self.dir = Path(workdir).resolve()
        self.logs = self.dir / "logs"
        self.kubeconfig = self.dir / "kubeconfig"
        self.pidfile = PidFile(self.dir / "pids")
        self.procs: list[Proc] = []

    # ----------------------------------------------------------------- public
    def start(self, timeout: float = 120.0) -> Path:
        """Start everything (or reuse a healthy running cluster); return kubeconfig path.

        Concurrent callers on the same directory (e.g. several pytest sessions)
        serialise on ``<dir>/lock``; the later ones then find the cluster healthy.
        """
        with self._lock():
            if self.healthy():
                return self.kubeconfig
            self._stop()
            self.logs.mkdir(exist_ok=True)
            pki = ensure_pki(self.dir / "pki")
            deadline = time.monotonic() + timeout
            try:
                port = self._start_control_plane(pki, deadline)
                self._bootstrap_objects()
                self._start_node_agent(pki)
                self._wait_node_ready(deadline)
            except BaseException:
                self._stop()
                raise
            self.pidfile.save(self.procs, {"apiserver_port": port})
            return self.kubeconfig

    def stop(self) -> None:
        """Stop exactly the processes recorded in ``pids``; files in ``dir`` stay."""
        with self._lock():
            self._stop()

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "lock", "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _stop(self) -> None:
        recorded = self.pidfile.load()
        terminate(recorded + [p for p in self.procs if p not in recorded])
        self.procs = []
        self.pidfile.path.unlink(missing_ok=True)

    def healthy(self) -> bool:
        procs = self.pidfile.load()
        if not procs or not all(is_alive(p) for p in procs) or not self.kubeconfig.exists():
            return False
        port = self.pidfile.extra().get("apiserver_port")
        return isinstance(port, int) and self._readyz(port)

    def status(self) -> dict[str, object]:
        procs = self.pidfile.load()
        port = self.pidfile.extra().get("apiserver_port")
        return {
            "dir": str(self.dir),
            "kubeconfig": str(self.kubeconfig),
            "apiserver": f"https://127.0.0.1:{port}" if port else None,
            "readyz": isinstance(port, int) and self._readyz(port),
            "processes": {p.name: {"pid": p.pid, "alive": is_alive(p)} for p in procs},
        }

    def __enter__(self) -> Path:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --------------------------------------------------------------- internal
    def _spawn(self, name: str, argv: list[str], **kw: object) -> None:
        self.procs.append(spawn(name, argv, self.logs, **kw))  # type: ignore[arg-type]
        # Save as we go so that `down` can clean up after a failed `up`.
        self.pidfile.save(self.procs)

    def _ssl(self) -> ssl.SSLContext:
        pki = Pki(self.dir / "pki")
        ctx = ssl.create_default_context(cafile=str(pki.ca_crt))
        ctx.load_cert_chain(str(pki.crt("admin")), str(pki.key("admin")))
        return ctx

    def _readyz(self, port: int) -> bool:
        try:
            with urllib.request.urlopen(
                f"https://127.0.0.1:{port}/readyz", context=self._ssl(), timeout=3
            ) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def _component_kubeconfig(self, pki: Pki, server: str, user: str) -> Path:
        path = self.dir / f"{user}.kubeconfig"
        write_kubeconfig(path, pki, server, user)
        return path

    def _start_control_plane(self, pki: Pki, deadline: float) -> int:
        etcd_client, etcd_peer = free_port(), free_port()
        etcd_dir = self.dir / "etcd"
        self._spawn(
            "etcd",
            [
                binary("etcd"),
                "--name",
                "local",
                "--data-dir",
                str(etcd_dir),
                "--listen-client-urls",
                f"http://127.0.0.1:{etcd_client}",
                "--advertise-client-urls",
                f"http://127.0.0.1:{etcd_client}",
                "--listen-peer-urls",
                f"http://127.0.0.1:{etcd_peer}",
                "--initial-advertise-peer-urls",
                f"http://127.0.0.1:{etcd_peer}",
                "--initial-cluster",
                f"local=http://127.0.0.1:{etcd_peer}",
                "--log-level",
                "warn",
                "--unsafe-no-fsync",  # throw-away test data: trade durability for speed
            ],
        )
        port = free_port()
        server = f"https://127.0.0.1:{port}"
        audit_policy = self.dir / "audit-policy.yaml"
        audit_policy.write_text(AUDIT_POLICY)
        self._spawn(
            "kube-apiserver",
            [
                binary("kube-apiserver"),
                f"--etcd-servers=http://127.0.0.1:{etcd_client}",
                "--bind-address=127.0.0.1",
                f"--secure-port={port}",
                "--advertise-address=127.0.0.1",
                f"--tls-cert-file={pki.crt('apiserver')}",
                f"--tls-private-key-file={pki.key('apiserver')}",
                f"--client-ca-file={pki.ca_crt}",
                f"--token-auth-file={pki.token_file}",
                f"--service-account-issuer={SA_ISSUER}",
                f"--api-audiences={SA_ISSUER}",
                f"--service-account-key-file={pki.sa_pub}",
                f"--service-account-signing-key-file={pki.sa_key}",
                "--authorization-mode=Node,RBAC",
                "--allow-privileged=true",
                "--service-cluster-ip-range=10.0.0.0/24",
                f"--kubelet-client-certificate={pki.crt('apiserver-kubelet-client')}",
                f"--kubelet-client-key={pki.key('apiserver-kubelet-client')}",
                f"--kubelet-certificate-authority={pki.ca_crt}",
                "--kubelet-preferred-address-types=InternalIP",
                # 127.0.0.1 is not a valid Endpoints address; nothing routes Service IPs here.
                "--endpoint-reconciler-type=none",
                f"--audit-policy-file={audit_policy}",
                f"--audit-log-path={self.dir / 'audit.log'}",
                "--profiling=false",
                "--v=1",
            ],
        )
        while not self._readyz(port):
            self._check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"kube-apiserver not ready; see {self.logs}/kube-apiserver.log")
            time.sleep(0.3)
        write_kubeconfig(self.kubeconfig, pki, server, "admin")
        kcm = self._component_kubeconfig(pki, server, "controller-manager")
        self._spawn(
            "kube-controller-manager",
            [
                binary("kube-controller-manager"),
                f"--kubeconfig={kcm}",
                f"--authentication-kubeconfig={kcm}",
                f"--authorization-kubeconfig={kcm}",
                "--bind-address=127.0.0.1",
                f"--secure-port={free_port()}",
                f"--service-account-private-key-file={pki.sa_key}",
                f"--root-ca-file={pki.ca_crt}",
                "--use-service-account-credentials=true",
                "--controllers=*",
                "--enable-hostpath-provisioner=true",
                f"--cluster-signing-cert-file={pki.ca_crt}",
                f"--cluster-signing-key-file={pki.ca_key}",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--cluster-name=local",
                "--leader-elect=false",
                "--v=1",
            ],
        )
        sched = self._component_kubeconfig(pki, server, "scheduler")
        self._spawn(
            "kube-scheduler",
            [
                binary("kube-scheduler"),
                f"--kubeconfig={sched}",
                f"--authentication-kubeconfig={sched}",
                f"--authorization-kubeconfig={sched}",
                "--bind-address=127.0.0.1",
                f"--secure-port={free_port()}",
                "--leader-elect=false",
                "--v=1",
            ],
        )
        return port

    def _check_alive(self) -> None:
        for p in self.procs:
            if not is_alive(p):
                raise RuntimeError(f"{p.name} exited; see {self.logs / (p.name + '.log')}")

    def _api(self) -> Any:
        from kubernetes import config

        return config.new_client_from_config(str(self.kubeconfig))

    def _bootstrap_objects(self) -> None:
        from kubernetes import client
        from kubernetes.client.rest import ApiException

        with self._api() as api:
            try:
                client.StorageV1Api(api).create_storage_class(STORAGE_CLASS)
            except ApiException as e:
                if e.status != 409:
                    raise

    def _start_node_agent(self, pki: Pki) -> None:
        env = dict(os.environ, PYTHONPATH=str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self._spawn(
            "node-agent",
            [
                sys.executable,
                "-m",
                "node_agent",
                "--kubeconfig",
                str(self.kubeconfig),
                "--node-name",
                NODE_NAME,
                "--state-dir",
                str(self.dir / "node-agent"),
                "--tls-cert",
                str(pki.crt("node-agent")),
                "--tls-key",
                str(pki.key("node-agent")),
                "--client-ca",
                str(pki.ca_crt),
                "--port",
                str(free_port()),
            ],
            env=env,
            cwd=HERE,
        )

    def _wait_node_ready(self, deadline: float) -> None:
        """Node Ready without taints, and the `default` ServiceAccount exists."""
        from kubernetes import client
        from kubernetes.client.rest import ApiException

        with self._api() as api:
            core = client.CoreV1Api(api)
            while True:
                self._check_alive()
                try:
                    node = core.read_node(NODE_NAME)
                    ready = any(
                        c.type == "Ready" and c.status == "True"
                        for c in (node.status.conditions or [])
                    )
                    core.read_namespaced_service_account("default", "default")
                    if ready and not node.spec.taints:
                        return
                except ApiException as e:
                    if e.status != 404:
                        raise
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"node {NODE_NAME} not Ready/untainted or no default SA; see {self.logs}"
                    )
                time.sleep(0.3)


@contextlib.contextmanager
def running_cluster(workdir: Path = DEFAULT_DIR) -> Iterator[tuple[Path, bool]]:
    """The local cluster in ``workdir``: reused if healthy, else started and, on exit,
    stopped again. Yields the kubeconfig and whether it was started here."""
    cluster = LocalCluster(workdir)
    reused = cluster.healthy()
    kubeconfig = cluster.start()
    try:
        yield kubeconfig, not reused
    finally:
        if not reused:
            cluster.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument(
        "--dir", type=Path, default=DEFAULT_DIR, help=f"state dir (default {DEFAULT_DIR})"
    )
    args = parser.parse_args(argv)
    cluster = LocalCluster(args.dir)
    if args.command == "up":
        t0 = time.monotonic()
        path = cluster.start()
        print(f"# ready in {time.monotonic() - t0:.1f}s", file=sys.stderr)
        print(path)
    elif args.command == "down":
        cluster.stop()
    else:
        st = cluster.status()
        print(json.dumps(st, indent=2))
        return 0 if st["readyz"] else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
