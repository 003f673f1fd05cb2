"""One small error hierarchy for everything k8s-volume-ops refuses.

Every message quotes the offending input and says where it came from, so a user
reading a failed task log or the `render` output can find the line to change::

    VolumeOpsError(Exception)
    ├── SpecError(ValueError)         the input is not valid Docker/compose syntax
    ├── UnsupportedError(ValueError)  valid for Docker, but has no Kubernetes equivalent
    ├── PolicyError(ValueError)       the storage policy is invalid
    │   └── NeedsPolicyError          valid, but the storage policy has no rule for it
    ├── ConflictError(ValueError)     mounts that clash with each other (same target, ...)
    └── ApplyError                    the cluster refused what we sent
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = [
    "ApplyError",
    "ConflictError",
    "NeedsPolicyError",
    "PolicyError",
    "SpecError",
    "UnsupportedError",
    "VolumeOpsError",
    "converting",
]


class VolumeOpsError(Exception):
    """Base class: catch this to handle every refusal of k8s-volume-ops."""

    def __init__(
        self, reason: str, *, spec: object = None, origin: str = "", hint: str = ""
    ) -> None:
        self.reason = reason
        self.spec = spec
        self.origin = origin
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        parts = []
        if self.origin:
            parts.append(f"{self.origin}: ")
        if self.spec is not None:
            parts.append(f"{self.spec!r}: ")
        parts.append(self.reason)
        if self.hint:
            parts.append(f"\n  fix: {self.hint}")
        return "".join(parts)

    def located(self, origin: str) -> VolumeOpsError:
        """Return a copy of this error whose origin is prefixed with `origin`."""
        where = f"{origin} {self.origin}".strip() if self.origin else origin
        clone = type(self)(self.reason, spec=self.spec, origin=where, hint=self.hint)
        clone.__cause__ = self.__cause__
        return clone


class SpecError(VolumeOpsError, ValueError):
    """The input is not a valid mount, volume or argument in Docker's own terms."""


class UnsupportedError(VolumeOpsError, ValueError):
    """Docker accepts the input, but Kubernetes has nothing that behaves the same."""


class PolicyError(VolumeOpsError, ValueError):
    """The storage policy itself is invalid."""


class NeedsPolicyError(PolicyError):
    """The input is fine, but the storage policy has no rule saying where it goes."""


class ConflictError(VolumeOpsError, ValueError):
    """Two inputs that cannot both be translated, such as two mounts on one target."""


class ApplyError(VolumeOpsError):
    """The Kubernetes API refused an object we tried to create or read."""


@contextlib.contextmanager
def converting(origin: str, value: object) -> Iterator[None]:
    """Turn a raw Python error from converting one argument into a `SpecError`.

    Converters check the input shapes Docker documents; an odd shape nobody thought of
    (a list where a dict was expected, a string where a number was) otherwise surfaces
    as a bare `TypeError` that names neither the argument nor the value. Wrapping each
    argument's conversion here keeps the promise that every refusal quotes its input.
    """
    try:
        yield
    except VolumeOpsError:
        raise
    except (TypeError, ValueError, AttributeError, LookupError) as exc:
        raise SpecError(
            f"cannot be translated: {type(exc).__name__}: {exc}", spec=value, origin=origin
        ) from exc
