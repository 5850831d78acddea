"""A system check: the join page's browser libraries come from Debian packages (static/join/vendor/ links to
them). Without them the join page cannot connect and `collectstatic` stops on the dangling links."""

from __future__ import annotations

from pathlib import Path

from django.core import checks

VENDOR = Path(__file__).resolve().parents[1] / "static" / "join" / "vendor"
PACKAGES = {"janus.min.js": "libjs-janus-gateway", "adapter.min.js": "libjs-webrtc-adapter"}


def join_page_libraries(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    missing = [package for name, package in PACKAGES.items() if not (VENDOR / name).exists()]
    if not missing:
        return []
    return [
        checks.Warning(
            "the join page's JavaScript libraries are not installed",
            hint=f"apt-get install {' '.join(missing)} (static/join/vendor/ links to their files)",
            id="prachum.join.W001",
        )
    ]
