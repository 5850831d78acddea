"""Media-server clients behind one interface (base.py): `backend_for("janus", base_url=..., ...)`."""

from __future__ import annotations

from .base import MediaBackend
from .fake import FakeBackend
from .janus import JanusBackend
from .jitsi import JitsiBackend

BACKENDS: dict[str, type[MediaBackend]] = {
    "janus": JanusBackend,
    "jitsi": JitsiBackend,
    "fake": FakeBackend,
}


def backend_for(kind: str, **config: object) -> MediaBackend:
    """A client for one media server of `kind`, built from its plain configuration (URLs, secrets)."""
    try:
        backend_class = BACKENDS[kind]
    except KeyError:
        raise ValueError(f"unknown media backend {kind!r}; known: {', '.join(sorted(BACKENDS))}") from None
    return backend_class(**config)
