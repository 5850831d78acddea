"""Benchmark: processing a meeting's recording (issue 17) — a 30-minute meeting of 3 sites by default — as a
ratio to the meeting's length. Goal: at most 0.1 (a 30-minute meeting ready in 3 minutes) on 2 cores.

    .venv/bin/python bench/recording.py [--minutes 30] [--sites 3]

The raw recordings are made as Janus writes them (.mjr: RTP packets of Opus audio and VP8 video, one file per
stream, tests/recordings/mjr_source.py) from ffmpeg test sources, not recorded from a browser call: a real call of
30 minutes would take 30 minutes and three Chromium, and a replayed one would need the network namespace; these
take seconds, are the same every run, and go through exactly what Janus's own files go through. To keep even that
cheap, 60 seconds of each site's video (640x480, 30 fps, 600 kbit/s: what a browser's camera sends) and audio are
encoded once and replayed for the meeting's length, RTP times and sequence numbers running on (each replay starts
on a key frame). The sites join 20 s apart, so the mix places them on the timeline.

What is timed is what the processing task does between claiming the row and marking it ready: `janus-pp-rec` for
each stream, one WebM per site by stream copy, the mixed file (amix + a 5 fps grid, VP8 realtime), and the SHA-256
of every file (recordings/processing.py, recordings/services.py). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recordings import processing  # noqa: E402  (plain module: no Django needed)
from tests.recordings.mjr_source import write_meeting  # noqa: E402

GOAL = 0.1


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--sites", type=int, default=3)
    args = parser.parse_args()
    seconds = args.minutes * 60
    work = Path(tempfile.mkdtemp(prefix="prachum-bench-recording-"))
    try:
        started = time.perf_counter()
        raw = write_meeting(work / "raw", room=4100, sites=args.sites, seconds=seconds, stagger_seconds=20,
                            loop_seconds=60, fps=30, size="640x480", bitrate="600k")
        made_s = time.perf_counter() - started
        cpu_before = os.times()
        started = time.perf_counter()
        outputs = processing.process(work / "raw", work / "out")
        digests = {o.name: sha256(work / "out" / o.name) for o in outputs}
        processing_s = time.perf_counter() - started
        cpu_after = os.times()
        mixed = next(o for o in outputs if o.kind == "mixed")
        cpu_s = (cpu_after.children_user + cpu_after.children_system + cpu_after.user + cpu_after.system) - (
            cpu_before.children_user + cpu_before.children_system + cpu_before.user + cpu_before.system)
        return {
            "minutes": args.minutes,
            "sites": args.sites,
            "meeting_s": seconds,
            "processing_s": round(processing_s, 2),
            "ratio": round(processing_s / seconds, 4),
            "ratio_basis": "processing_s / meeting_s (wall clock; janus-pp-rec, per-site stream copy, mixed grid, "
                           "SHA-256)",
            "goal": GOAL,
            "meets_goal": processing_s / seconds <= GOAL,
            "cpu_s": round(cpu_s, 2),
            "cores": os.cpu_count(),
            "raw_bytes": sum(p.stat().st_size for p in raw),
            "raw_made_s": round(made_s, 2),
            "mixed_duration_s": mixed.duration,
            "files": {o.name: {"bytes": o.size, "duration_s": o.duration, "sha256": digests[o.name][:12]}
                      for o in outputs},
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
