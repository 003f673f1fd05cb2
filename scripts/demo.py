"""`make demo`: the producer/consumer example DAG, end to end, on a real cluster.

Uses the cluster `$KUBECONFIG` reaches; otherwise starts the local one (real
kube-apiserver, etcd, controller-manager and scheduler, plus the node agent) and
stops it afterwards. The DAG runs with `airflow dags test`, exactly as Airflow
would run it; then the script shows where the file the producer wrote landed: the
claim, its PersistentVolume, and (on the local cluster) the directory on disk.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "cluster"))
NAMESPACE = "k8s-volume-ops-demo"
CLAIM = "shared-data"


def reachable(kubeconfig: str) -> bool:
    """Whether the cluster in `kubeconfig` answers."""
    from kubernetes import client, config

    try:
        config.load_kube_config(config_file=kubeconfig)
        client.VersionApi().get_code(_request_timeout=5)
    except Exception:
        return False
    return True


@contextlib.contextmanager
def cluster() -> Iterator[tuple[Path, bool]]:
    """The kubeconfig to use, and whether it is the local cluster we started."""
    given = os.environ.get("KUBECONFIG")
    if given and reachable(given):
        print(f"using the cluster of KUBECONFIG={given}")
        yield Path(given), False
        return
    from localcluster import LocalCluster

    local = LocalCluster(REPO / ".cache" / "demo-cluster")
    print(
        "starting the local cluster (kube-apiserver, etcd, controller-manager, scheduler, "
        "node agent)..."
    )
    kubeconfig = local.start()
    try:
        yield kubeconfig, True
    finally:
        print("stopping the local cluster")
        local.stop()


def airflow_env(kubeconfig: Path) -> dict[str, str]:
    home = REPO / ".cache" / "demo-airflow-home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "KUBECONFIG": str(kubeconfig),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "K8S_VOLUME_OPS_NAMESPACE": NAMESPACE,
    }


def run_dag(env: dict[str, str]) -> int:
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    log = REPO / ".cache" / "demo-dag-test.log"
    print(f"airflow dags test producer_consumer   (full log: {log})")
    with log.open("w") as out:
        proc = subprocess.run(
            [airflow, "dags", "test", "producer_consumer"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    for line in log.read_text().splitlines():
        if "[base]" in line or "Created claims" in line or "DagRun Finished" in line:
            print("   ", line.split("] ", 1)[-1][:160])
    return proc.returncode


def show_data(kubeconfig: Path) -> None:
    from kubernetes import client, config

    config.load_kube_config(config_file=str(kubeconfig))
    core = client.CoreV1Api()
    claim = core.read_namespaced_persistent_volume_claim(CLAIM, NAMESPACE)
    pv = core.read_persistent_volume(claim.spec.volume_name)
    print(f"claim {NAMESPACE}/{CLAIM}: {claim.status.phase}, PersistentVolume {pv.metadata.name}")
    root = Path(pv.spec.host_path.path) if pv.spec.host_path is not None else None
    if root is not None and root.is_dir():  # the local cluster: the volume is on this disk
        print(f"the claim's data on disk, {root}:")
        for path in sorted(root.rglob("*")):
            if path.is_file():
                print(f"   {path}: {path.read_text().strip()!r}")


def ensure_namespace(kubeconfig: Path) -> None:
    from kubernetes import client, config
    from kubernetes.client.exceptions import ApiException

    config.load_kube_config(config_file=str(kubeconfig))
    try:
        client.CoreV1Api().create_namespace({"metadata": {"name": NAMESPACE}})
    except ApiException as exc:
        if exc.status != 409:
            raise


def main() -> int:
    with cluster() as (kubeconfig, _started):
        ensure_namespace(kubeconfig)
        code = run_dag(airflow_env(kubeconfig))
        if code == 0:
            show_data(kubeconfig)
        print("demo " + ("succeeded" if code == 0 else f"FAILED (airflow exit code {code})"))
        return code


if __name__ == "__main__":
    sys.exit(main())
