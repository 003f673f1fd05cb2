"""Whatever a compose document holds, the render reports problems; it never raises.

Documents are generated from the words compose files use, in any shape (a mapping
where a list belongs, a number where a path belongs, ...), and every object of
every render must still be a valid Kubernetes object.
"""

from __future__ import annotations

from typing import Any

from composecheck import validate_objects
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8s_volume_ops.compose import build_compose, project_from_data
from k8s_volume_ops.errors import VolumeOpsError
from k8s_volume_ops.policy import StoragePolicy

_WORDS = [
    "/data",
    "v:/d",
    "v:/d:ro",
    "./x:/x",
    "/srv/a:/a",
    "/t:size=1m",
    "a",
    "c:ro",
    "container:x",
    "service:a",
    "host",
    "none",
    "NET_ADMIN",
    "Cache:/c",
    "${X:-y}",
    "$$",
    "1777",
    "0440",
    "tmpfs",
    "nfs",
    "volume",
    "bind",
    "image",
    "emptyDir",
    "configMap",
    "hostPath",
    "persistentVolumeClaim",
    "addr=h",
    ":/e",
]
_KEYS = [
    "type",
    "source",
    "target",
    "read_only",
    "volume",
    "bind",
    "tmpfs",
    "size",
    "mode",
    "subpath",
    "nocopy",
    "propagation",
    "create_host_path",
    "file",
    "external",
    "name",
    "driver",
    "driver_opts",
    "o",
    "device",
    "labels",
    "kompose.volume.type",
    "kompose.volume.size",
    "kompose.volume.subpath",
    "content",
    "environment",
    "uid",
]
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5000), st.text(max_size=6), st.sampled_from(_WORDS)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)
    ),
    max_leaves=8,
)
_SERVICE = st.fixed_dictionaries(
    {"image": st.sampled_from(["busybox", None, 3])},
    optional={
        key: _VALUES
        for key in (
            "volumes",
            "tmpfs",
            "secrets",
            "configs",
            "labels",
            "user",
            "command",
            "entrypoint",
            "environment",
            "working_dir",
            "privileged",
            "read_only",
            "network_mode",
            "ipc",
            "pid",
            "networks",
            "cap_add",
            "cap_drop",
            "tty",
            "stdin_open",
            "ports",
            "ulimits",
            "build",
            "unknown_key",
        )
    }
    | {"volumes_from": st.lists(st.sampled_from(["a", "b", "c:ro", "container:z", "x", 5]))},
)
_DOCUMENT = st.fixed_dictionaries(
    {
        "services": st.dictionaries(
            st.sampled_from(["a", "b", "c", "D_d"]), _SERVICE, min_size=1, max_size=3
        )
    },
    optional={
        "volumes": st.dictionaries(st.sampled_from(["v", "Cache", "w"]), _VALUES, max_size=3),
        "secrets": st.dictionaries(st.sampled_from(["s", "c"]), _VALUES, max_size=2),
        "configs": st.dictionaries(st.sampled_from(["s", "c"]), _VALUES, max_size=2),
    },
)
_POLICIES = st.sampled_from(
    [
        StoragePolicy(),
        StoragePolicy.model_validate(
            {"binds": [{"source": "/", "claim": "host"}], "nfs": {"mode": "persistentVolume"}}
        ),
    ]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENT, _POLICIES)
def test_any_document_renders_or_reports(document: dict[str, Any], policy: StoragePolicy) -> None:
    try:
        project = project_from_data(document, origin="f", base_dir="/p", environ={})
    except VolumeOpsError:
        return  # a document-wide refusal (e.g. no `services:` mapping) is a reported problem
    result = build_compose(project, policy, "ns")
    validate_objects(result.objects)
    assert all(isinstance(p, VolumeOpsError) for p in result.problems)
