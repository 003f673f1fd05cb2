"""NOTES.txt tells the user where things are and what to do next."""

from __future__ import annotations

import pytest

from .conftest import NAMESPACE, render_notes

pytestmark = pytest.mark.chart


def test_default_release_needs_no_airflow_setting() -> None:
    notes = render_notes()
    assert f"is installed in namespace {NAMESPACE}" in notes
    assert f'pass namespace="{NAMESPACE}" to the operator' in notes
    assert f"ServiceAccount {NAMESPACE}/airflow-worker" in notes
    assert f"ServiceAccount {NAMESPACE}/airflow-triggerer" in notes
    assert (
        f"kubectl auth can-i create pods -n {NAMESPACE} "
        f"--as=system:serviceaccount:{NAMESPACE}:airflow-worker"
    ) in notes
    assert f"ConfigMap {NAMESPACE}/k8s-volume-ops-policy, key policy.yaml" in notes
    assert "env K8S_VOLUME_OPS_POLICY, the path of a policy YAML file" in notes
    assert "NEXT STEP: nothing to set on Airflow" in notes


def test_other_release_name_tells_how_to_point_airflow_at_the_configmap() -> None:
    notes = render_notes(release="storage")
    assert "NEXT STEP: the ConfigMap's name is not the default one" in notes
    env = "- name: K8S_VOLUME_OPS_POLICY_CONFIGMAP\n        value: storage-k8s-volume-ops-policy"
    assert env in notes
    assert "  workers:\n    env:" in notes


def test_subjects_in_another_namespace_and_own_account() -> None:
    notes = render_notes(
        {
            "rbac": {"serviceAccounts": [{"name": "airflow-worker", "namespace": "airflow"}]},
            "serviceAccount": {"create": True},
        }
    )
    assert "ServiceAccount airflow/airflow-worker" in notes
    assert f"ServiceAccount {NAMESPACE}/k8s-volume-ops (created by this release)" in notes
    assert "--as=system:serviceaccount:airflow:airflow-worker" in notes


def test_claims_are_listed_as_kept() -> None:
    notes = render_notes(
        {
            "claims": [{"name": "shared-data"}],
            "nfs": [{"name": "media", "server": "10.0.0.5", "path": "/exports/media"}],
        }
    )
    assert "Claims (kept on `helm uninstall`" in notes
    assert "  - shared-data\n" in notes
    assert f"  - media -> NFS 10.0.0.5:/exports/media (PersistentVolume {NAMESPACE}-media)" in notes


def test_nfs_rules_that_need_persistent_volumes_are_flagged() -> None:
    rule = {"source": "/srv/nfs", "nfs": {"server": "10.0.0.5", "path": "/exports"}}
    assert "WARNING: NFS binds rules" not in render_notes({"policy": {"binds": [rule]}})
    for policy in (
        {"binds": [rule], "nfs": {"mode": "persistentVolume"}},
        {"binds": [rule], "podSecurity": "restricted"},
    ):
        notes = render_notes({"policy": policy})
        assert "WARNING: NFS binds rules (/srv/nfs) become PersistentVolume" in notes


def test_without_rbac_the_notes_say_what_is_missing() -> None:
    notes = render_notes({"rbac": {"create": False}})
    assert "RBAC: not created (rbac.create=false)" in notes
