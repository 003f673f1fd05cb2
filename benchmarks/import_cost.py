"""Import cost of our DockerOperator against KubernetesPodOperator and the stock one.

Airflow imports every DAG file in every task process, so the operator's import is
paid once per task. Each statement runs in fresh interpreters (best of N, after one
warm-up run for the page cache), all in this one run, and the ratios are printed.
Goal: ours / KPO <= 1.05.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

STATEMENTS = {
    "ours": "from k8s_volume_ops import DockerOperator; DockerOperator.template_fields",
    "kpo": "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator",
    "stock": "from airflow.providers.docker.operators.docker import DockerOperator",
}


def timed(statement: str, env: dict[str, str]) -> float:
    """Wall time of one fresh interpreter executing `statement`."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], env=env, check=True)
    return time.perf_counter() - start


def best_times(runs: int, env: dict[str, str]) -> dict[str, float]:
    """Best of `runs` per statement, taken round-robin so noise hits all alike."""
    for statement in STATEMENTS.values():
        timed(statement, env)  # warm-up: page cache, .pyc files
    times: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    for _ in range(runs):
        for name, statement in STATEMENTS.items():
            times[name].append(timed(statement, env))
    return {name: min(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "AIRFLOW_HOME": home}
        results = best_times(args.runs, env)
    for name, seconds in results.items():
        print(f"{name:6s} {seconds:.3f} s  ({STATEMENTS[name]})")
    print(f"ours/KPO   = {results['ours'] / results['kpo']:.3f}  (goal <= 1.05)")
    print(f"ours/stock = {results['ours'] / results['stock']:.3f}")


if __name__ == "__main__":
    main()
