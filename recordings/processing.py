"""From Janus's raw recordings (.mjr, one per stream) to files a person can play: plain paths in, plain values out
(it knows no model, like the media backends). Debian's `janus-pp-rec` (janus-tools) and `ffmpeg` do the work.

1. `janus-pp-rec` turns each .mjr into its own container without touching the media: Opus audio into .opus,
   VP8 video into .webm.
2. One file per site's stream: its video and audio muxed into one WebM by stream copy (no re-encoding: the cost
   is reading and writing the bytes).
3. One mixed file of the whole meeting: the audio of every site mixed (amix, each delayed to its place on the
   meeting's timeline) and the video of every site in a **grid** (xstack), at a low frame rate (5 fps) and small
   tiles (at most 960 px wide), encoded once with VP8 at libvpx's fastest ("realtime", cpu-used 8).
   Why a grid and not the speaker: the raw recordings hold no reliable "who speaks" signal (the VideoRoom's audio
   levels are not recorded), so a speaker view would need an analysis pass over every audio track and a rule for
   switching: more work, more cost, and a chance to show the wrong site. A grid shows every site all the time
   (who was there, who presented), costs one cheap encode whose size does not grow with the sites' own
   resolution, and is what the evidence needs: the whole meeting, every site, one timeline. A person who wants a
   site's full picture opens that site's own file (stream copy, full quality).

Each site's place on the timeline comes from the .mjr header (`u`: when Janus wrote the stream's first packet, in
microseconds), so a site that joined late starts late in the mix (black before it, its last picture held after).
Everything is written into `out_dir` (the caller's temporary directory): the caller moves the files into place.
"""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

# videoroom-<room>-user-<participant>-<microseconds>-<audio|video|data>-<mid>.mjr (Janus 1.x VideoRoom)
STREAM_NAME = re.compile(r"^videoroom-(?P<room>\d+)-user-(?P<user>[^-]+)-(?P<time>\d+)-(?P<kind>audio|video)-"
                         r"(?P<mid>\d+)\.mjr$")
MIX_FPS = 5
MIX_MAX_WIDTH = 960
TILE = (320, 240)


class ProcessingError(Exception):
    """A tool failed or the raw recording is unusable; the message says which file and what the tool said."""


@dataclass
class Stream:
    path: Path
    kind: str  # "audio" | "video"
    codec: str
    started_us: int


@dataclass
class Publisher:
    """One site's streams (Janus names each by the participant's id and the time its recorder was made). A site
    that leaves and comes back is a new participant (a new id): a file of its own."""

    user: str
    started_us: int
    streams: list[Stream] = field(default_factory=list)


@dataclass(frozen=True)
class Output:
    name: str  # file name inside out_dir
    kind: str  # "site" | "mixed"
    participant: str  # Janus participant id ("" for the mixed file)
    duration: float
    size: int
    offset: float  # seconds after the meeting's first stream began


def read_header(path: Path) -> dict:
    """The JSON header of an .mjr file (version 2: "MJR00002", 2-byte length, JSON)."""
    with path.open("rb") as raw:
        magic = raw.read(8)
        if magic != b"MJR00002":
            raise ProcessingError(f"{path.name}: not a Janus recording (MJR00002)")
        (length,) = struct.unpack("!H", raw.read(2))
        try:
            return json.loads(raw.read(length))
        except ValueError as error:
            raise ProcessingError(f"{path.name}: unreadable header ({error})") from error


def publishers_in(raw_dir: Path) -> list[Publisher]:
    """The publishers whose streams Janus wrote into `raw_dir`, earliest first. Empty or unreadable files (a
    stream that never sent a packet) are left out."""
    found: dict[str, Publisher] = {}
    for path in sorted(raw_dir.glob("*.mjr")):
        match = STREAM_NAME.match(path.name)
        if not match or path.stat().st_size <= 64:
            continue
        header = read_header(path)
        started = int(header.get("u") or header.get("s") or match["time"])
        # One publisher's streams carry the times their recorders were made (microseconds apart): by participant.
        publisher = found.setdefault(match["user"], Publisher(user=match["user"], started_us=started))
        publisher.started_us = min(publisher.started_us, started)
        publisher.streams.append(Stream(path=path, kind=match["kind"], codec=str(header.get("c", "")),
                                        started_us=started))
    return sorted(found.values(), key=lambda p: (p.started_us, p.user))


def _tool(name: str) -> str:
    """The absolute path of a Debian tool (janus-pp-rec from janus-tools, ffmpeg and ffprobe from ffmpeg)."""
    found = shutil.which(name)
    if not found:
        raise ProcessingError(f"{name} is not installed (Debian: apt-get install janus-tools ffmpeg)")
    return found


def _run(command: list[str], what: str, *, timeout: float | None = None) -> None:
    """Run one of our tools: the argument list is fixed here, the paths are our own (no shell, no user input).

    With `timeout`: a run that takes longer is killed and tried once more, then the step fails (and the row is
    retried later). Debian's janus-pp-rec 1.1.2 was seen to hang for good, both its threads waiting on a futex,
    once in hundreds of runs on a 5 kB file that it converts in milliseconds the next time."""
    command = [_tool(command[0]), *command[1:]]
    for attempt in (1, 2):
        try:
            result = subprocess.run(  # noqa: S603
                command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=timeout
            )
            break
        except subprocess.TimeoutExpired:  # the child is killed by subprocess.run
            logger.warning("%s: %s did not finish in %.0f s (attempt %d)", what, command[0], timeout, attempt)
    else:
        raise ProcessingError(f"{what}: {command[0]} did not finish in {timeout:.0f} s, twice")
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ProcessingError(f"{what}: {command[0]} exited {result.returncode}: {' / '.join(tail)}")


def duration_of(path: Path) -> float:
    command = [_tool("ffprobe"), "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        return round(float(json.loads(result.stdout)["format"]["duration"]), 3)
    except (ValueError, KeyError, TypeError):
        raise ProcessingError(f"{path.name}: ffprobe cannot read its duration") from None


def _extract(stream: Stream, work: Path) -> Path:
    """janus-pp-rec: the stream's media into a container, untouched (Opus → .opus, VP8/VP9 → .webm)."""
    if stream.kind == "audio" and stream.codec != "opus":
        raise ProcessingError(f"{stream.path.name}: audio codec {stream.codec!r} (prachum's rooms send Opus)")
    if stream.kind == "video" and stream.codec not in {"vp8", "vp9"}:
        raise ProcessingError(f"{stream.path.name}: video codec {stream.codec!r} (prachum's rooms send VP8)")
    target = work / (stream.path.stem + (".opus" if stream.kind == "audio" else ".webm"))
    # A minute, and five seconds a megabyte (a 30-minute camera stream is about 135 MB, converted in seconds).
    limit = 60 + 5 * stream.path.stat().st_size / 1_000_000
    _run(["janus-pp-rec", "-d", "2", str(stream.path), str(target)], f"janus-pp-rec {stream.path.name}", timeout=limit)
    if not target.exists() or target.stat().st_size == 0:
        raise ProcessingError(f"{stream.path.name}: janus-pp-rec wrote nothing")
    return target


def process(raw_dir: Path, out_dir: Path, *, names: dict[str, str] | None = None) -> list[Output]:
    """Every site's file and the mixed file of the meeting recorded in `raw_dir`, written into `out_dir`.

    `names`: participant id -> a safe file-name stem (e.g. the site's code); by default the participant id.
    Raises ProcessingError when there is nothing to process or a tool fails.
    """
    publishers = publishers_in(raw_dir)
    if not publishers:
        raise ProcessingError(f"{raw_dir}: no raw recording (.mjr) with any media")
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / "work"
    work.mkdir(exist_ok=True)
    origin = min(p.started_us for p in publishers)
    names = names or {}
    outputs: list[Output] = []
    tracks: list[tuple[float, Path | None, Path | None, float]] = []  # offset, video, audio, duration
    used: set[str] = set()
    for index, publisher in enumerate(publishers, start=1):
        video = audio = None
        # The first audio and the first video stream (a re-published stream of the same participant is rare: the
        # join page replaces tracks in place, e.g. for screen sharing, which keeps one recorder per stream).
        for stream in sorted(publisher.streams, key=lambda s: s.started_us):
            if stream.kind == "video" and video is None:
                video = _extract(stream, work)
            elif stream.kind == "audio" and audio is None:
                audio = _extract(stream, work)
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", names.get(publisher.user, "") or f"site-{publisher.user}")
        if stem in used:
            stem = f"{stem}-{index}"
        used.add(stem)
        name = f"{stem}.webm"
        command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y"]
        maps = []
        for number, source in enumerate(x for x in (video, audio) if x is not None):
            command += ["-i", str(source)]
            maps += ["-map", f"{number}"]
        _run(command + maps + ["-c", "copy", "-f", "webm", str(out_dir / name)], f"mux {name}")
        duration = duration_of(out_dir / name)
        offset = round((publisher.started_us - origin) / 1_000_000, 3)
        tracks.append((offset, video, audio, duration))
        outputs.append(Output(name=name, kind="site", participant=publisher.user, duration=duration,
                              size=(out_dir / name).stat().st_size, offset=offset))
    mixed = "meeting-mixed.webm"
    _mix(tracks, out_dir / mixed)
    outputs.append(Output(name=mixed, kind="mixed", participant="", duration=duration_of(out_dir / mixed),
                          size=(out_dir / mixed).stat().st_size, offset=0.0))
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return outputs


def _mix(tracks: list[tuple[float, Path | None, Path | None, float]], target: Path) -> None:
    """Audio of all (amix), video of all in a grid (xstack) at MIX_FPS; each placed at its offset."""
    total = max(offset + duration for offset, _v, _a, duration in tracks)
    inputs: list[str] = []
    inputs_of: list[Path] = []
    filters: list[str] = []
    videos: list[str] = []
    audios: list[str] = []
    count = sum(1 for _o, video, _a, _d in tracks if video is not None)
    cols = max(1, math.ceil(math.sqrt(count)))
    width = min(TILE[0], (MIX_MAX_WIDTH // cols) // 2 * 2)
    height = (width * TILE[1] // TILE[0]) // 2 * 2
    for offset, video, audio, _duration in tracks:
        if video is not None:
            number = len(inputs_of)
            # The grid's tiles are small: decode without VP8's loop filter (about a third less decoding work, no
            # visible loss once scaled down).
            inputs += ["-skip_loop_filter", "all", "-i", str(video)]
            inputs_of.append(video)
            label = f"v{len(videos)}"
            filters.append(
                f"[{number}:v]fps={MIX_FPS},scale={width}:{height}:force_original_aspect_ratio=decrease,"
                f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,"
                f"tpad=start_duration={offset}:stop_mode=clone:stop_duration={total},trim=duration={total}"
                f"[{label}]"
            )
            videos.append(label)
        if audio is not None:
            number = len(inputs_of)
            inputs += ["-i", str(audio)]
            inputs_of.append(audio)
            label = f"a{len(audios)}"
            delay = int(offset * 1000)
            filters.append(f"[{number}:a]aresample=48000,adelay={delay}:all=1[{label}]")
            audios.append(label)
    maps: list[str] = []
    if videos:
        if len(videos) == 1:
            filters.append(f"[{videos[0]}]null[vout]")
        else:
            layout = "|".join(f"{(i % cols) * width}_{(i // cols) * height}" for i in range(len(videos)))
            filters.append(f"{''.join(f'[{v}]' for v in videos)}xstack=inputs={len(videos)}:layout={layout}"
                           f":fill=black[vout]")
        maps += ["-map", "[vout]", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k",
                 "-g", str(MIX_FPS * 10), "-threads", "2", "-r", str(MIX_FPS)]
    if audios:
        if len(audios) == 1:
            filters.append(f"[{audios[0]}]anull[aout]")
        else:
            filters.append(f"{''.join(f'[{a}]' for a in audios)}amix=inputs={len(audios)}:duration=longest"
                           f":normalize=0[aout]")
        maps += ["-map", "[aout]", "-c:a", "libopus", "-b:a", "48k"]
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *inputs, "-filter_complex", ";".join(filters),
               *maps, "-t", f"{total:.3f}", "-f", "webm", str(target)]
    _run(command, "mix the meeting")
