"""Driver of the real-recording browser test: run it inside a network namespace (test_recording_call.py does), as
tests/e2e/two_sites_call.py, whose machinery it reuses (PostgreSQL, Janus with ICE on v0, the portal, Chromium).

1. the meeting of tests/e2e/two_sites_call.py is scheduled, its room provisioned on the real Janus;
2. two headless Chromium (fake camera and microphone) join as the hall and Mueang and decode each other's video;
3. a scheduler signs in, opens the meeting's recording page and presses "เริ่มบันทึก": Janus records the room;
   both join pages show the "กำลังบันทึก" sign;
4. about 10 seconds later "หยุดบันทึก": the sign goes away; the processing task (in-process here) runs janus-pp-rec
   and ffmpeg on the .mjr files Janus wrote on this machine;
5. the row is ready; the mixed file has an audio and a video stream and lasts about the recorded time (ffprobe);
   each site's file exists with its own audio and video.

Exit 0 and a last line `E2E OK {...}` on success; otherwise exit 1 with `E2E FAILED: ...` and the evidence.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.e2e.two_sites_call import (  # noqa: E402  (the path above first)
    HALL,
    MUEANG,
    SCHEDULER_PASSWORD,
    Failed,
    browser,
    check_namespace,
    in_thread,
    join_both,
    log,
    prepare_database,
    start_portal,
)

RECORD_SECONDS = 10


def probe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    return {"duration": round(float(data["format"]["duration"]), 2),
            "streams": sorted(f"{s['codec_type']}:{s['codec_name']}" for s in data["streams"])}


def recording_row(meeting_id: int) -> dict:
    from django.db import connection

    from recordings import services
    from recordings.models import MeetingRecording

    recording = MeetingRecording.objects.filter(meeting_id=meeting_id).first()
    if recording is None:
        return {}
    raw = sorted(p.name for p in services.raw_dir(recording).glob("*.mjr")) if recording.rec_dir else []
    row = {
        "state": recording.state, "attempts": recording.attempts, "last_error": recording.last_error,
        "recorded_seconds": recording.recorded_seconds, "processing_seconds": recording.processing_seconds,
        "participants": recording.participants, "raw": raw,
        "files": [{"kind": f.kind, "site": f.site.code if f.site else None, "path": str(services.stored_path(f)),
                   "duration": f.duration_seconds, "size": f.size} for f in recording.files.all()],
    }
    connection.close()
    return row


def sign_shown(page) -> bool:
    return page.evaluate("() => { const s = document.getElementById('recording-sign'); return !!s && !s.hidden; }")


def run(playwright, *, work: Path, base_url: str, data: dict, console: list) -> dict:
    figures: dict = {}
    pages = {}
    contexts = []
    try:
        for code in (HALL, MUEANG):
            context, page = browser(playwright, work / f"profile-{code}", console, code)
            contexts.append(context)
            pages[code] = page
            page.goto(data["links"][code], wait_until="load")
        join_both(pages, figures)
        if any(sign_shown(page) for page in pages.values()):
            raise Failed("a join page shows the recording sign before anything records")
        context, chair = browser(playwright, work / "profile-scheduler", console, "scheduler")
        contexts.append(context)
        chair.goto(f"{base_url}/login/")
        chair.fill("input[name=username]", "scheduler-e2e")
        chair.fill("input[name=password]", SCHEDULER_PASSWORD)
        chair.click("form button[type=submit]")
        chair.wait_for_load_state("load")
        chair.goto(f"{base_url}/recordings/meeting/{data['meeting_id']}/")
        chair.click("#recording-start")
        chair.wait_for_selector('#recording-state[data-state="recording"]', timeout=10_000)
        started = time.monotonic()
        log("the chair started the recording from the recording page")
        for code, page in pages.items():
            try:
                page.wait_for_function("() => { const s = document.getElementById('recording-sign');"
                                       " return s && !s.hidden; }", timeout=12_000, polling=200)
            except Exception as error:
                raise Failed(f"site {code}'s join page never showed the recording sign") from error
        figures["sign_seconds"] = round(time.monotonic() - started, 2)
        log(f"both join pages show “กำลังบันทึก” ({figures['sign_seconds']} s after the start)")
        time.sleep(max(0.0, RECORD_SECONDS - (time.monotonic() - started)))
        chair.click("#recording-stop")  # the processing task runs in-process once the stop commits
        chair.wait_for_load_state("load")
        figures["recorded_wall_seconds"] = round(time.monotonic() - started, 2)
        chair.wait_for_selector('#recording-state[data-state="ready"]', timeout=60_000)
        log("stopped; the recording page says ready")
        for page in pages.values():
            page.wait_for_function("() => document.getElementById('recording-sign').hidden", timeout=12_000,
                                   polling=200)
        return figures
    finally:
        for context in contexts:
            with contextlib.suppress(Exception):
                context.close()


def check_files(row: dict, figures: dict) -> None:
    if row.get("state") != "ready":
        raise Failed(f"the recording is not ready: {row}")
    mixed = [f for f in row["files"] if f["kind"] == "mixed"]
    sites = {f["site"]: f for f in row["files"] if f["kind"] == "site"}
    if len(mixed) != 1 or sorted(sites, key=str) != sorted([HALL, MUEANG]):
        raise Failed(f"expected one mixed file and one file for each of {HALL} and {MUEANG}: {row}")
    found = probe(Path(mixed[0]["path"]))
    figures["mixed"] = found
    if found["streams"] != ["audio:opus", "video:vp8"]:
        raise Failed(f"the mixed file lacks an audio or a video stream: {found}")
    if abs(found["duration"] - row["recorded_seconds"]) > 3 or found["duration"] < RECORD_SECONDS - 3:
        raise Failed(f"the mixed file lasts {found['duration']} s, recorded {row['recorded_seconds']} s")
    for code, file in sites.items():
        site_probe = probe(Path(file["path"]))
        figures[f"site_{code}"] = site_probe
        if site_probe["streams"] != ["audio:opus", "video:vp8"] or site_probe["duration"] < RECORD_SECONDS - 4:
            raise Failed(f"site {code}'s file is not its audio and video for the recorded time: {site_probe} "
                         f"{row['raw']}")
    log(f"mixed file: {found}; sites: {[figures[f'site_{c}'] for c in sites]}")


def main() -> int:
    os.chdir(ROOT)
    work = Path(tempfile.mkdtemp(prefix="prachum-rec-e2e-"))
    console: list[str] = []
    try:
        check_namespace()
        from tests.services.janus import JanusServer
        from tests.services.ports import free_port
        from tests.services.postgres import PostgresServer

        with contextlib.ExitStack() as stack:
            postgres = stack.enter_context(PostgresServer())
            janus = stack.enter_context(JanusServer(ice_enforce_list="v0"))
            log(f"PostgreSQL on {postgres.port}, Janus on {janus.port} (ICE on v0)")
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            os.environ.update(
                DJANGO_SETTINGS_MODULE="portal.settings.test", DATABASE_URL=postgres.url, PORTAL_BASE_URL=base_url,
                CELERY_TASK_ALWAYS_EAGER="true", JANUS_E2E_ADMIN_SECRET=janus.admin_secret,
                JANUS_E2E_ADMIN_KEY=janus.admin_key, PRACHUM_RECORDINGS_RAW_ROOT=str(work / "raw"),
                PRACHUM_RECORDINGS_ROOT=str(work / "recordings"),
            )
            import django

            django.setup()
            data = prepare_database(janus)
            httpd = start_portal(port)
            stack.callback(httpd.shutdown)
            log(f"portal on {base_url}; meeting {data['meeting_id']} in Janus room {data['room']}")
            from playwright.sync_api import sync_playwright

            try:
                with sync_playwright() as playwright:
                    figures = run(playwright, work=work, base_url=base_url, data=data, console=console)
            except Exception:
                print("--- janus log (tail) ---\n" + janus.log_tail(20), flush=True)
                raise
            row = in_thread(recording_row, data["meeting_id"])
            figures["row"] = {k: v for k, v in row.items() if k != "files"}
            check_files(row, figures)
        print("E2E OK " + json.dumps(figures, ensure_ascii=False), flush=True)
        return 0
    except Exception as error:
        print(f"E2E FAILED: {error}", flush=True)
        if not isinstance(error, Failed):
            traceback.print_exc()
        if console:
            print("--- browser console (last 40) ---\n" + "\n".join(console[-40:]), flush=True)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
