"""values.yaml and values.schema.json are one public contract and must change together.

As in the Airflow chart (ADR 0001): every key of values.yaml has a schema entry
with a description and the same default, every object forbids unknown keys, and
every key is documented with a bitnami-style `## @param` comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from .conftest import CHART, render_chart, render_error

pytestmark = pytest.mark.chart


def _leaf_paths(values: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Dotted paths of values.yaml's leaves; lists and empty maps are leaves."""
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _leaf_paths(value, f"{path}.")
        else:
            yield path


def _walk_schema(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema with its location, items and map values included."""
    yield path or "<root>", schema
    for key, sub in schema.get("properties", {}).items():
        yield from _walk_schema(sub, f"{path}.{key}" if path else key)
    if isinstance(schema.get("items"), dict):
        yield from _walk_schema(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _walk_schema(schema["additionalProperties"], f"{path}.<key>")


def _schema_at(schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    node: dict[str, Any] | None = schema
    for key in path.split("."):
        node = (node or {}).get("properties", {}).get(key)
    return node


def test_values_yaml_validates_against_the_schema(
    chart_values: dict[str, Any], chart_schema: dict[str, Any]
) -> None:
    jsonschema.Draft7Validator.check_schema(chart_schema)
    jsonschema.Draft7Validator(chart_schema).validate(chart_values)


def test_every_values_key_is_in_the_schema_with_the_same_default(
    chart_values: dict[str, Any], chart_schema: dict[str, Any]
) -> None:
    def check(values: dict[str, Any], prefix: str) -> None:
        for key, value in values.items():
            path = f"{prefix}{key}"
            node = _schema_at(chart_schema, path)
            assert node is not None, f"{path} is in values.yaml but not in the schema"
            assert node.get("description"), f"{path} has no description in the schema"
            assert "default" in node, f"{path} has no default in the schema"
            assert node["default"] == value, f"{path}: schema default differs from values.yaml"
            if isinstance(value, dict) and value:
                check(value, f"{path}.")

    check(chart_values, "")


def test_every_schema_key_is_in_values_yaml(
    chart_values: dict[str, Any], chart_schema: dict[str, Any]
) -> None:
    """Top-level and settings keys: a schema-only key would be an undocumented option."""

    def check(schema: dict[str, Any], values: dict[str, Any], prefix: str) -> None:
        for key, node in schema.get("properties", {}).items():
            path = f"{prefix}{key}"
            assert key in values, f"{path} is in the schema but not in values.yaml"
            if node.get("type") == "object" and "properties" in node:
                check(node, values[key], f"{path}.")

    check(chart_schema, chart_values, "")


def test_every_object_schema_is_closed(chart_schema: dict[str, Any]) -> None:
    for path, node in _walk_schema(chart_schema):
        types = node.get("type")
        if types == "object" or (isinstance(types, list) and "object" in types):
            assert "additionalProperties" in node, f"{path} allows unknown keys"
            assert node["additionalProperties"] is not True, f"{path} allows unknown keys"


def test_every_schema_entry_is_described(chart_schema: dict[str, Any]) -> None:
    for path, node in _walk_schema(chart_schema):
        plain_member = path.endswith(("[]", ".<key>")) and "properties" not in node
        if path == "<root>" or plain_member:  # e.g. the string items of a list
            continue
        assert node.get("description"), f"{path} has no description"


def test_every_values_key_has_a_param_comment(chart_values: dict[str, Any]) -> None:
    text = (CHART / "values.yaml").read_text()
    documented = set(re.findall(r"^\s*## @param (\S+) \S", text, flags=re.MULTILINE))
    leaves = set(_leaf_paths(chart_values))
    assert leaves - documented == set(), "keys without a ## @param comment"
    assert documented - leaves == set(), "## @param comments for keys that do not exist"


@pytest.mark.parametrize(
    "values",
    [
        {"unknownKey": True},
        {"rbac": {"creat": True}},
        {"rbac": {"serviceAccounts": [{"name": "w", "namspace": "airflow"}]}},
        {"policy": {"claims": {"sise": "1Gi"}}},
        {"policy": {"claims": {"overrides": {"v": {"storageClass": "fast"}}}}},
        {"policy": {"binds": [{"source": "/d", "claim": "d", "subPath": "x"}]}},
        {"claims": [{"name": "data", "storageClass": "fast"}]},
        {"nfs": [{"name": "m", "server": "s", "path": "/p", "options": []}]},
        {"storageClass": {"create": True, "provisioner": "p", "mountOptions": []}},
    ],
    ids=[
        "top-level",
        "rbac",
        "subject",
        "policy-claims",
        "policy-override",
        "policy-bind",
        "claim-entry",
        "nfs-entry",
        "storage-class",
    ],
)
def test_schema_rejects_unknown_keys(values: dict[str, Any], chart_schema: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.Draft7Validator(chart_schema).validate(values)
    error = render_error(values)
    assert "values don't meet the specifications of the schema" in error


@pytest.mark.parametrize(
    "values",
    [
        {"policy": {"nfs": {"mode": "nfs"}}},
        {"policy": {"podSecurity": "strict"}},
        {"policy": {"claims": {"size": "ten gigs"}}},
        {"policy": {"claims": {"accessModes": ["ReadWriteSometimes"]}}},
        {"claims": [{"name": "d", "size": 10}]},
        {"rbac": {"create": "yes"}},
        {"storageClass": {"reclaimPolicy": "Recycle"}},
    ],
    ids=["nfs-mode", "pod-security", "size", "access-mode", "size-type", "bool", "reclaim"],
)
def test_schema_rejects_wrong_types_and_values(
    values: dict[str, Any], chart_schema: dict[str, Any]
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(chart_schema).validate(values)
    assert "values don't meet the specifications of the schema" in render_error(values)


def test_chart_renders_with_its_defaults() -> None:
    kinds = sorted(obj["kind"] for obj in render_chart())
    assert kinds == ["ConfigMap", "Role", "RoleBinding"]
