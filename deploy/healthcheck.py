"""Exit 0 when this node's gunicorn answers `/healthz` with 200: the web container's healthcheck.

    python deploy/healthcheck.py            # asks http://127.0.0.1:<port of GUNICORN_BIND>/healthz

It asks as nginx would (the first of DJANGO_ALLOWED_HOSTS as Host, X-Forwarded-Proto https), so production
settings neither refuse the host nor redirect to https.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001").rsplit(":", 1)[-1]
    hosts = [host.strip() for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",") if host.strip()]
    host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a fixed http URL on the loopback
            body = response.read(2000).decode(errors="replace")
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(2000).decode(errors="replace"), error.code
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: HTTP {status} {body}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
