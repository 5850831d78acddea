"""Run a command with a throw-away PostgreSQL and Redis: `python -m tests.services -- pytest ...`.

Starts both on free ports in temporary directories, exports DATABASE_URL and REDIS_URL to the command, and stops
them (by their own PIDs) when it ends, whatever happens. The exit code is the command's.
"""

import os
import subprocess
import sys

from .postgres import PostgresServer
from .redis import RedisServer


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: python -m tests.services -- COMMAND ...", file=sys.stderr)
        return 2
    with PostgresServer() as postgres, RedisServer() as redis:
        env = dict(os.environ, DATABASE_URL=postgres.url, REDIS_URL=redis.url)
        print(f"PostgreSQL on port {postgres.port}, Redis on port {redis.port}", flush=True)
        return subprocess.call(argv, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
