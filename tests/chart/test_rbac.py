"""The Role grants exactly what the operator calls, to exactly the accounts in values."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import NAMESPACE, by_kind, one, render_chart

pytestmark = pytest.mark.chart

RBAC_TEMPLATES = ["templates/role.yaml", "templates/rolebinding.yaml"]

# The whole contract, rule by rule; a change here is a security review.
EXPECTED_RULES: list[dict[str, Any]] = [
    {
        "apiGroups": [""],
        "resources": ["pods"],
        "verbs": ["create", "get", "list", "watch", "patch", "delete"],
    },
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["list", "watch"]},
    {
        "apiGroups": [""],
        "resources": ["persistentvolumeclaims"],
        "verbs": ["create", "get", "list", "watch"],
    },
    {
        "apiGroups": [""],
        "resources": ["secrets"],
        "verbs": ["create", "get", "update", "patch", "delete"],
    },
    {
        "apiGroups": [""],
        "resources": ["configmaps"],
        "resourceNames": ["k8s-volume-ops-policy"],
        "verbs": ["get"],
    },
]


def _role(values: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    return one(render_chart(values, RBAC_TEMPLATES, **kwargs), "Role")


def _subjects(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    binding = one(render_chart(values, RBAC_TEMPLATES), "RoleBinding")
    return list(binding["subjects"])


def test_role_rules_are_exactly_the_operators_calls() -> None:
    role = _role()
    assert role["metadata"]["namespace"] == NAMESPACE
    assert role["rules"] == EXPECTED_RULES


def test_role_has_no_wildcards_exec_or_cluster_scoped_resources() -> None:
    rules = _role({"rbac": {"allowEphemeralClaimDeletion": True}})["rules"]
    for rule in rules:
        for field in ("apiGroups", "resources", "verbs", "resourceNames"):
            assert "*" not in rule.get(field, []), rule
        assert rule["apiGroups"] == [""], rule
    resources = {resource for rule in rules for resource in rule["resources"]}
    assert "pods/exec" not in resources
    assert "pods/attach" not in resources
    assert "persistentvolumes" not in resources
    assert "namespaces" not in resources


def test_claim_deletion_is_opt_in() -> None:
    def claim_verbs(values: dict[str, Any] | None) -> list[str]:
        rules = _role(values)["rules"]
        return next(r["verbs"] for r in rules if r["resources"] == ["persistentvolumeclaims"])

    assert "delete" not in claim_verbs(None)
    assert claim_verbs({"rbac": {"allowEphemeralClaimDeletion": True}}) == [
        "create",
        "get",
        "list",
        "watch",
        "delete",
    ]


def test_policy_configmap_rule_follows_the_release_name() -> None:
    rules = _role(release="storage")["rules"]
    configmaps = next(r for r in rules if r["resources"] == ["configmaps"])
    assert configmaps["resourceNames"] == ["storage-k8s-volume-ops-policy"]


def test_policy_configmap_rule_stays_without_the_configmap() -> None:
    """A missing policy must read as 404 (built-in defaults), not 403."""
    rules = _role({"policyConfigMap": {"create": False}})["rules"]
    assert rules[-1]["resourceNames"] == ["k8s-volume-ops-policy"]


def test_default_subjects_are_the_airflow_charts_worker_and_triggerer() -> None:
    assert _subjects() == [
        {"kind": "ServiceAccount", "name": "airflow-worker", "namespace": NAMESPACE},
        {"kind": "ServiceAccount", "name": "airflow-triggerer", "namespace": NAMESPACE},
    ]


def test_subjects_come_from_values_with_their_namespace() -> None:
    values = {
        "rbac": {
            "serviceAccounts": [
                {"name": "my-airflow-worker", "namespace": "airflow"},
                {"name": "runner"},
            ]
        },
        "serviceAccount": {"create": True},
    }
    assert _subjects(values) == [
        {"kind": "ServiceAccount", "name": "my-airflow-worker", "namespace": "airflow"},
        {"kind": "ServiceAccount", "name": "runner", "namespace": NAMESPACE},
        {"kind": "ServiceAccount", "name": "k8s-volume-ops", "namespace": NAMESPACE},
    ]


def test_role_binding_points_at_the_role() -> None:
    objects = render_chart(None, RBAC_TEMPLATES)
    binding = one(objects, "RoleBinding")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": one(objects, "Role")["metadata"]["name"],
    }


def test_service_account_is_optional_and_named() -> None:
    assert by_kind(render_chart(), "ServiceAccount") == []
    values = {
        "serviceAccount": {
            "create": True,
            "name": "volume-ops-runner",
            "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x"},
        }
    }
    account = one(render_chart(values), "ServiceAccount")
    assert account["metadata"]["name"] == "volume-ops-runner"
    assert account["metadata"]["namespace"] == NAMESPACE
    assert account["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x"
    }
    assert account["automountServiceAccountToken"] is True
    assert _subjects(values)[-1]["name"] == "volume-ops-runner"


def test_rbac_can_be_left_to_the_cluster_admin() -> None:
    objects = render_chart({"rbac": {"create": False}})
    assert by_kind(objects, "Role") == []
    assert by_kind(objects, "RoleBinding") == []


def test_rbac_objects_carry_standard_labels() -> None:
    values = {"commonLabels": {"team": "data", "app.kubernetes.io/name": "ignored"}}
    labels = _role(values)["metadata"]["labels"]
    assert labels == {
        "app.kubernetes.io/component": "rbac",
        "app.kubernetes.io/instance": "k8s-volume-ops",
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/name": "k8s-volume-ops",
        "app.kubernetes.io/part-of": "k8s-volume-ops",
        "app.kubernetes.io/version": "0.1.0",
        "helm.sh/chart": "k8s-volume-ops-0.1.0",
        "team": "data",
    }
