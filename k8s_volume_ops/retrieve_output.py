"""`retrieve_output`: the native sidecar that hands the output file back through its log.

Kept apart from `podplan` because it is the one part of the plan that adds a second
container, with its own contract (the markers `xcom` looks for in the log).
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from .errors import SpecError, UnsupportedError

if TYPE_CHECKING:
    from .podplan import DockerArgs, PodPlan

__all__ = ["RETRIEVE_BEGIN", "RETRIEVE_CONTAINER", "RETRIEVE_END", "sidecar"]

RETRIEVE_BEGIN = "k8s-volume-ops:retrieve-output:begin"
RETRIEVE_END = "k8s-volume-ops:retrieve-output:end"
RETRIEVE_CONTAINER = "retrieve-output"


def sidecar(plan: PodPlan, args: DockerArgs) -> None:
    """A native sidecar that prints the output file when the main container has ended.

    Kubernetes cannot copy a file out of a terminated container, and KPO's exec-based
    sidecar needs `pods/exec`; the sidecar is sent SIGTERM once the main container
    exits and writes the file, base64, to its log, which the operator reads. It sees
    the file through the volume the main container writes it to: an existing mount
    that holds the path, else an emptyDir on the file's folder.
    """
    path = args.retrieve_output_path
    if not path or not path.startswith("/") or path.endswith("/"):
        raise SpecError(
            "retrieve_output needs an absolute file path in retrieve_output_path",
            spec=path,
            origin="retrieve_output_path",
        )
    mount = _covering_mount(plan.container.get("volumeMounts") or [], path)
    if mount is None:
        mount = _output_folder(plan, path)
    script = (
        f'trap \'if [ -f "$OUTPUT" ]; then echo {RETRIEVE_BEGIN}; base64 "$OUTPUT"; '
        f"echo {RETRIEVE_END}; fi; exit 0' TERM; while true; do sleep 1; done"
    )
    plan.pod["initContainers"] = [
        {
            "name": RETRIEVE_CONTAINER,
            "image": args.retrieve_output_image,
            "restartPolicy": "Always",
            "command": ["sh", "-c", script],
            "env": [{"name": "OUTPUT", "value": path}],
            "volumeMounts": [{**mount, "readOnly": True}],
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
        }
    ]


def _covering_mount(mounts: list[dict[str, Any]], path: str) -> dict[str, Any] | None:
    """The main container's mount that holds `path` (the deepest one), if any."""
    holding = [m for m in mounts if path.startswith(m["mountPath"].rstrip("/") + "/")]
    return max(holding, key=lambda m: len(m["mountPath"]), default=None)


def _output_folder(plan: PodPlan, path: str) -> dict[str, Any]:
    folder = posixpath.dirname(path)
    if folder == "/":
        raise UnsupportedError(
            "the output file must be in a directory below /, which is shared with the "
            "sidecar that reads it",
            spec=path,
            origin="retrieve_output_path",
        )
    mount = {"name": RETRIEVE_CONTAINER, "mountPath": folder}
    plan.pod.setdefault("volumes", []).append({"name": RETRIEVE_CONTAINER, "emptyDir": {}})
    plan.container.setdefault("volumeMounts", []).append(mount)
    plan.notes.append(
        f"retrieve_output: {folder} becomes an emptyDir shared with the sidecar that reads "
        f"{path}; files the image has in {folder} are hidden (write the output below a "
        "mounted volume, e.g. tmp_dir, to avoid that)"
    )
    return mount
