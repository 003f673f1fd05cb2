"""Keep Docker's literal strings literal in a pod spec.

Kubernetes expands `$(NAME)` in a container's command, args and env values and
turns `$$` into `$`; Docker does neither. A password `pa$$word` or a shell snippet
`echo $(date)` would change on the way, so every `$` that starts such a sequence
is escaped as `$$`.
"""

from __future__ import annotations

import re

__all__ = ["literal"]

_EXPANDED = re.compile(r"\$(?=[($])")


def literal(text: str) -> str:
    """`text` as Kubernetes will hand it to the container, unchanged."""
    return _EXPANDED.sub("$$", text)
