"""What our operator adds per task, against plain KubernetesPodOperator, in one run.

On the local cluster (real kube-apiserver; started here unless already running),
N tasks run with our DockerOperator (one named volume, created by the first task)
and N with KubernetesPodOperator given the equivalent, pre-created claim. Both run
the same command with XCom off. Printed as ratios (ours / KPO):
- wall time from execute() to the pod's container running (seen by a watch), and
  to the pod's submission (the POST in the apiserver's audit log);
- Kubernetes API requests per task, counted in the audit log for the benchmark's
  own ServiceAccount, so that controllers and the node agent are not counted.
Then BURST tasks start together on one new named volume: one claim, no failure.
Goal: <= 1.1x the time, and at most one extra request per distinct claim.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "cluster"))
sys.path.insert(0, str(REPO / "tests"))

from e2e_support import BUSYBOX, new_namespace  # noqa: E402
from localcluster import DEFAULT_DIR, running_cluster  # noqa: E402

from k8s_volume_ops.policy import POLICY_ENV  # noqa: E402

COMMAND = ["sh", "-c", "echo ok"]


class RunningTimes:
    """Watches a namespace and notes when each pod's container is first seen running."""

    def __init__(self, core: Any, namespace: str) -> None:
        self.times: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(core, namespace), daemon=True)
        self._thread.start()

    def _watch(self, core: Any, namespace: str) -> None:
        from kubernetes import watch

        while not self._stop.is_set():
            for event in watch.Watch().stream(
                core.list_namespaced_pod, namespace, timeout_seconds=5
            ):
                pod = event["object"]
                statuses = pod.status.container_statuses or []
                running = any(s.state and (s.state.running or s.state.terminated) for s in statuses)
                if running:
                    self.times.setdefault(pod.metadata.name, time.time())

    def stop(self) -> None:
        self._stop.set()


def setup(core: Any, rbac: Any, kubeconfig: Path, workdir: Path) -> tuple[str, Path]:
    """A namespace and a ServiceAccount (admin there) whose requests we count."""
    import yaml

    namespace = new_namespace(core, "bench")
    core.create_namespaced_service_account(namespace, {"metadata": {"name": "bench-runner"}})
    rbac.create_namespaced_role_binding(
        namespace,
        {
            "metadata": {"name": "bench-runner"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "admin",
            },
            "subjects": [
                {"kind": "ServiceAccount", "name": "bench-runner", "namespace": namespace}
            ],
        },
    )
    token = core.create_namespaced_service_account_token(
        "bench-runner", namespace, {"spec": {"expirationSeconds": 7200}}
    ).status.token
    admin = yaml.safe_load(kubeconfig.read_text())
    path = workdir / "bench.kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "b",
                "clusters": [{"name": "c", "cluster": admin["clusters"][0]["cluster"]}],
                "users": [{"name": "u", "user": {"token": token}}],
                "contexts": [{"name": "b", "context": {"cluster": "c", "user": "u"}}],
            }
        )
    )
    return namespace, path


def make_ours(task_id: str, namespace: str, kubeconfig: Path, volume: str) -> Any:
    from docker.types import Mount

    from k8s_volume_ops import DockerOperator

    return DockerOperator(
        task_id=task_id,
        image=BUSYBOX,
        namespace=namespace,
        command=COMMAND,
        mounts=[Mount(target="/data", source=volume)],
        do_xcom_push=False,
        config_file=str(kubeconfig),
        in_cluster=False,
        kubernetes_conn_id=None,
        startup_check_interval_seconds=1,
        on_finish_action="delete_pod",
    )


def make_kpo(task_id: str, namespace: str, kubeconfig: Path, claim: str) -> Any:
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from kubernetes.client import models as k8s

    return KubernetesPodOperator(
        task_id=task_id,
        image=BUSYBOX,
        namespace=namespace,
        cmds=COMMAND,
        do_xcom_push=False,
        volumes=[
            k8s.V1Volume(
                name="data",
                persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name=claim),
            )
        ],
        volume_mounts=[k8s.V1VolumeMount(name="data", mount_path="/data")],
        config_file=str(kubeconfig),
        in_cluster=False,
        kubernetes_conn_id=None,
        startup_check_interval_seconds=1,
        on_finish_action="delete_pod",
    )


def run(op: Any) -> tuple[float, float, str]:
    """Execute one task; (start time, end time, pod name)."""
    import pendulum
    from airflow.sdk import DAG

    from k8s_volume_ops.operators.offline import synthetic_context

    with DAG(f"bench_{op.task_id}", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        dag.add_task(op)
    context = synthetic_context(dag, op, pendulum.now("UTC"))
    op.render_template_fields(context)
    start = time.time()
    op.execute(context)
    return start, time.time(), op.pod.metadata.name


def audit_events(log: Path, user: str, since: float, until: float) -> list[dict[str, Any]]:
    events = []
    with log.open() as lines:
        for line in lines:
            if user not in line:
                continue
            event = json.loads(line)
            if event.get("stage") != "ResponseComplete" or event["user"]["username"] != user:
                continue
            at = datetime.fromisoformat(event["requestReceivedTimestamp"].replace("Z", "+00:00"))
            if since <= at.timestamp() <= until:
                events.append(event)
    return events


def measure(
    name: str, runs: list[tuple[float, float, str]], watcher: RunningTimes, audit: Path, user: str
) -> dict[str, Any]:
    """Per-task times and the API requests made inside each task's own time window."""
    to_start, to_submit, requests = [], [], []
    per_kind: dict[str, int] = {}
    for start, end, pod in runs:
        events = audit_events(audit, user, start - 0.01, end + 0.01)
        requests.append(len(events))
        for e in events:
            ref = e["objectRef"]
            key = f"{e['verb']} {ref.get('resource')}/{ref.get('subresource', '')}".rstrip("/")
            per_kind[key] = per_kind.get(key, 0) + 1
            if e["verb"] == "create" and ref.get("resource") == "pods" and ref.get("name") == pod:
                at = datetime.fromisoformat(e["requestReceivedTimestamp"].replace("Z", "+00:00"))
                to_submit.append(at.timestamp() - start)
        if pod in watcher.times:
            to_start.append(watcher.times[pod] - start)
    kinds = json.dumps(per_kind, sort_keys=True)
    print(f"{name}: {len(runs)} tasks, {sum(requests)} API requests; {kinds}")
    return {
        "kinds": per_kind,
        "tasks": len(runs),
        "start": statistics.median(to_start),
        "submit": statistics.median(to_submit),
        "requests": statistics.mean(requests),
    }


def burst(core: Any, namespace: str, kubeconfig: Path, count: int) -> None:
    ops = [make_ours(f"burst-{i}", namespace, kubeconfig, "burst_vol") for i in range(count)]
    began = time.time()
    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(lambda op: _try(op), ops))
    seconds = time.time() - began
    failures = [r for r in results if r is not None]
    claims = [
        c.metadata.name
        for c in core.list_namespaced_persistent_volume_claim(namespace).items
        if c.metadata.name.startswith("burst")
    ]
    print(
        f"burst: {count} tasks started together on one new named volume: {len(claims)} claim(s) "
        f"{claims}, {len(failures)} failure(s), {seconds:.1f} s"
    )
    for failure in failures[:3]:
        print("   ", failure)


def _try(op: Any) -> str | None:
    try:
        run(op)
    except Exception as exc:
        return f"{op.task_id}: {type(exc).__name__}: {exc}"
    return None


def report(label: str, ours: dict[str, Any], kpo: dict[str, Any]) -> None:
    """Ratios of one of our phases against the KPO phase."""
    extra = ours["requests"] - kpo["requests"]
    print(
        f"[{label}] time to pod running (median): ours {ours['start']:.3f} s, "
        f"KPO {kpo['start']:.3f} s, ratio {ours['start'] / kpo['start']:.3f} (goal <= 1.1)"
    )
    print(
        f"[{label}] time to pod submitted (median): ours {ours['submit']:.3f} s, "
        f"KPO {kpo['submit']:.3f} s, ratio {ours['submit'] / kpo['submit']:.3f}"
    )
    print(
        f"[{label}] API requests per task: ours {ours['requests']:.2f}, KPO "
        f"{kpo['requests']:.2f}, ratio {ours['requests'] / kpo['requests']:.3f}, extra "
        f"{extra:.2f} per task with 1 distinct claim (goal <= 1)"
    )
    only_ours = {
        kind: count / ours["tasks"]
        for kind, count in ours["kinds"].items()
        if kind not in kpo["kinds"]
    }
    print(
        f"[{label}] request kinds KPO never makes, per task: {json.dumps(only_ours)} "
        "(the rest is KPO's own polling, which varies with timing)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--burst", type=int, default=50)
    args = parser.parse_args()
    from kubernetes import client, config

    with running_cluster(DEFAULT_DIR) as (kubeconfig, _), tempfile.TemporaryDirectory() as tmp:
        api = config.new_client_from_config(config_file=str(kubeconfig))
        core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
        namespace, bench_kubeconfig = setup(core, rbac, kubeconfig, Path(tmp))
        user = f"system:serviceaccount:{namespace}:bench-runner"
        core.create_namespaced_persistent_volume_claim(
            namespace,
            {
                "metadata": {"name": "kpo-data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            },
        )
        watcher = RunningTimes(core, namespace)
        policy_file = Path(tmp) / "policy.yaml"
        policy_file.write_text("claims: {size: 1Gi}\n")
        runs: dict[str, list[tuple[float, float, str]]] = {"kpo": [], "ours": [], "file": []}
        for i in range(args.tasks):  # interleaved, so drift and warm-up hit all three alike
            runs["kpo"].append(run(make_kpo(f"kpo-{i}", namespace, bench_kubeconfig, "kpo-data")))
            runs["ours"].append(
                run(make_ours(f"ours-{i}", namespace, bench_kubeconfig, "bench_data"))
            )
            os.environ[POLICY_ENV] = str(policy_file)
            runs["file"].append(
                run(make_ours(f"file-{i}", namespace, bench_kubeconfig, "file_data"))
            )
            del os.environ[POLICY_ENV]
        time.sleep(1.5)  # the watch sees the last pods
        watcher.stop()
        audit = DEFAULT_DIR / "audit.log"
        kpo = measure("KubernetesPodOperator", runs["kpo"], watcher, audit, user)
        ours = measure(
            "k8s-volume-ops, policy from the chart's ConfigMap", runs["ours"], watcher, audit, user
        )
        ours_file = measure(
            "k8s-volume-ops, policy from $K8S_VOLUME_OPS_POLICY", runs["file"], watcher, audit, user
        )
        for label, result in (("policy ConfigMap", ours), ("policy file", ours_file)):
            report(label, result, kpo)
        burst(core, namespace, bench_kubeconfig, args.burst)
        core.delete_namespace(namespace)


if __name__ == "__main__":
    main()
