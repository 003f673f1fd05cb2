"""Parsers, one module per input format, all producing `models` mount specs.

They are pure: they read values already in memory and never open files or talk to
a cluster.
"""

from .dockerpy import parse_docker_mount, parse_docker_mounts
from .short import parse_short

__all__ = ["parse_docker_mount", "parse_docker_mounts", "parse_short"]
