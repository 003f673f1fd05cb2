"""The translator core imports neither Airflow nor the Kubernetes client.

Airflow imports every DAG file in every task process and the CLI must start fast,
so the pure layers stay free of both; only `apply` and `operators` may use them.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "k8s_volume_ops",
    "k8s_volume_ops.parsing",
    "k8s_volume_ops.models",
    "k8s_volume_ops.translate",
    "k8s_volume_ops.podplan",
    "k8s_volume_ops.policy",
    "k8s_volume_ops.xcom",
    "k8s_volume_ops.podsecurity",
    "k8s_volume_ops.apply",
    "k8s_volume_ops.cli",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_airflow_or_kubernetes(module: str) -> None:
    code = (
        f"import sys, {module}; heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('airflow', 'kubernetes', 'docker')); print(heavy); assert not heavy"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_operator_is_exported_lazily() -> None:
    code = (
        "import k8s_volume_ops, sys; assert 'airflow' not in sys.modules; "
        "op = k8s_volume_ops.DockerOperator; assert k8s_volume_ops.KubernetesDockerOperator is op; "
        "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator as K; "
        "assert issubclass(op, K)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
