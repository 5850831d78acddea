"""Raw recordings as Janus writes them (.mjr), made from ffmpeg test sources: for the processing tests and
`bench/recording.py`, which need a meeting's raw files of any length without a browser call of that length.

Why not record a real call and replay it: a real call needs the network namespace, three Chromium and the
meeting's whole length (30 minutes for the bench); these files take seconds, are the same every run, and go
through exactly the same `janus-pp-rec` + ffmpeg processing as Janus's own (the e2e test covers Janus's files).

The MJR format (Janus's record.c, version 2): "MJR00002", a 2-byte big-endian length and a JSON header
(`t` a/v, `c` codec, `s` created and `u` first-frame times in microseconds); then per RTP packet "MEET", a 4-byte
time in milliseconds since the first frame, a 2-byte length and the RTP packet. Here: VP8 video (ffmpeg testsrc,
packetised per RFC 7741, payload type 96, 90 kHz) and Opus audio (a sine tone, 20 ms frames, RFC 7587, payload type
111, 48 kHz), as a browser sends them.
"""

from __future__ import annotations

import json
import random
import struct
import subprocess
import tempfile
from pathlib import Path

MAX_PAYLOAD = 1100


def _rtp(*, pt: int, seq: int, ts: int, ssrc: int, marker: bool, payload: bytes) -> bytes:
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def _header(kind: str, codec: str, created_us: int) -> bytes:
    info = json.dumps({"t": kind, "c": codec, "s": created_us, "u": created_us}, separators=(",", ":")).encode()
    return b"MJR00002" + struct.pack("!H", len(info)) + info


def _frame(ms: int, packet: bytes) -> bytes:
    return b"MEET" + struct.pack("!IH", ms, len(packet)) + packet


def _ivf_frames(path: Path):
    data = path.read_bytes()
    offset = struct.unpack_from("<H", data, 6)[0]  # header length (32)
    while offset + 12 <= len(data):
        size, pts = struct.unpack_from("<IQ", data, offset)
        offset += 12
        yield pts, data[offset:offset + size]
        offset += size


def _ogg_packets(path: Path):
    """Opus packets of an Ogg file (segments joined across pages), skipping OpusHead and OpusTags."""
    data = path.read_bytes()
    offset, pending, index = 0, b"", 0
    while offset + 27 <= len(data) and data[offset:offset + 4] == b"OggS":
        count = data[offset + 26]
        lacing = data[offset + 27:offset + 27 + count]
        body = offset + 27 + count
        for size in lacing:
            pending += data[body:body + size]
            body += size
            if size < 255:
                if index >= 2:
                    yield pending
                index += 1
                pending = b""
        offset = body


def write_video(path: Path, *, seconds: float, created_us: int, fps: int = 15, size: str = "320x240",
                pattern: str = "testsrc2", loop_seconds: float = 0, bitrate: str = "300k") -> None:
    """`loop_seconds`: encode only that much (a whole number of 5-second key-frame intervals) and replay it, with
    RTP times and sequence numbers running on, for the rest: a long meeting's file without encoding all of it."""
    encoded = min(seconds, loop_seconds) if loop_seconds else seconds
    with tempfile.TemporaryDirectory(prefix="prachum-mjr-") as tmp:
        ivf = Path(tmp) / "v.ivf"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", f"{pattern}=size={size}:rate={fps}",
             "-t", str(encoded), "-pix_fmt", "yuv420p", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
             "-b:v", bitrate, "-g", str(fps * 5), "-threads", "1", str(ivf)],
            check=True,
        )
        ssrc, seq = random.getrandbits(32), random.getrandbits(16)
        ts0 = random.getrandbits(31)
        with path.open("wb") as out:
            out.write(_header("v", "vp8", created_us))
            frames = [frame for _pts, frame in _ivf_frames(ivf)]
            total = int(seconds * fps)
            for index in range(total):
                frame = frames[index % len(frames)]
                ts = ts0 + index * 90000 // fps
                ms = index * 1000 // fps
                chunks = [frame[i:i + MAX_PAYLOAD] for i in range(0, len(frame), MAX_PAYLOAD)] or [b""]
                for number, chunk in enumerate(chunks):
                    descriptor = b"\x10" if number == 0 else b"\x00"  # S bit on the frame's first packet
                    packet = _rtp(pt=96, seq=seq, ts=ts, ssrc=ssrc, marker=number == len(chunks) - 1,
                                  payload=descriptor + chunk)
                    out.write(_frame(ms, packet))
                    seq += 1


def write_audio(path: Path, *, seconds: float, created_us: int, frequency: int = 440, loop_seconds: float = 0) -> None:
    encoded = min(seconds, loop_seconds) if loop_seconds else seconds
    with tempfile.TemporaryDirectory(prefix="prachum-mjr-") as tmp:
        ogg = Path(tmp) / "a.ogg"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
             f"sine=frequency={frequency}:sample_rate=48000", "-t", str(encoded), "-ac", "1", "-c:a", "libopus",
             "-b:a", "24k", "-frame_duration", "20", "-application", "voip", str(ogg)],
            check=True,
        )
        ssrc, seq = random.getrandbits(32), random.getrandbits(16)
        ts0 = random.getrandbits(31)
        with path.open("wb") as out:
            out.write(_header("a", "opus", created_us))
            packets = list(_ogg_packets(ogg))
            for index in range(int(seconds * 50)):  # 20 ms each
                packet = packets[index % len(packets)]
                out.write(_frame(index * 20, _rtp(pt=111, seq=seq + index, ts=ts0 + index * 960, ssrc=ssrc,
                                                  marker=index == 0, payload=packet)))


def write_meeting(rec_dir: Path, *, room: int, sites: int, seconds: float, start_us: int = 1_765_000_000_000_000,
                  stagger_seconds: float = 1.0, loop_seconds: float = 0, fps: int = 15, size: str = "320x240",
                  bitrate: str = "300k") -> list[Path]:
    """The raw files of a meeting of `sites` publishers as Janus names them
    (`videoroom-<room>-user-<id>-<time>-audio-0.mjr` and `...-video-1.mjr`), each site joining
    `stagger_seconds` after the one before. Returns the files written."""
    rec_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(sites):
        created = start_us + int(index * stagger_seconds * 1_000_000)
        length = seconds - index * stagger_seconds
        # Janus names each stream by the time its recorder was made: the video's a little after the audio's.
        stem = f"videoroom-{room}-user-{1000 + index}"
        audio = rec_dir / f"{stem}-{created}-audio-0.mjr"
        video = rec_dir / f"{stem}-{created + 674}-video-1.mjr"
        write_audio(audio, seconds=length, created_us=created, frequency=300 + 200 * index, loop_seconds=loop_seconds)
        write_video(video, seconds=length, created_us=created + 674, fps=fps, size=size, bitrate=bitrate,
                    pattern=("testsrc2", "smptebars", "rgbtestsrc")[index % 3], loop_seconds=loop_seconds)
        written += [audio, video]
    return written
