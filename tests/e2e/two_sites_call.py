"""Driver of the two-sites browser test: run it inside a network namespace (tests/e2e/test_two_sites_call.py does).

Everything it needs runs inside the namespace, because there loopback is not the host's: PostgreSQL, Janus
(`ice_enforce_list = "v0"`: Janus never offers loopback candidates, the veth address carries the media), and
the portal itself (Django's threaded WSGI server in this process, static files included). Then:

1. a scheduler's meeting with three sites (the provincial hall as host, Mueang Udon Thani, Kut Chap) is scheduled
   through the services, its room provisioned on Janus, the sites' passes issued;
2. two headless Chromium (fake camera and microphone, one fresh profile each) open the hall's and Mueang's join
   links from the portal, pass the device check, join, and each must decode the other's video (frames counted
   with requestVideoFrameCallback, still advancing a second later);
3. the hall presents its screen (getDisplayMedia replaces the camera track): Mueang receives the screen;
4. a third Chromium logs in as the scheduler and opens the control centre: hall and Mueang connected, Kut Chap
   not yet, "2/3", Kut Chap's phone a tel: link; the Attendance rows exist; Mueang's page shows its QR code
   images;
5. the hall (moderator) removes Mueang from its page: the portal kicks it through Janus with the room's secret;
   Mueang's page says so, and the control centre, refreshed by htmx, shows Mueang as left;
6. Mueang opens its test room from its link, its own video comes back through Janus, the page reports media
   flowing and the clerk confirms: the TestCall is recorded, its room closed, the control centre shows "tested".

Exit 0 and a last line `E2E OK {...}` on success; otherwise exit 1 with `E2E FAILED: ...` and the evidence.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCHEDULER_PASSWORD = "e2e-only-pw-8362"  # a throw-away account in a throw-away database
HALL, MUEANG, KUT_CHAP = "41", "4101", "4102"


class Failed(Exception):
    pass


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.2f}s] {message}", flush=True)


STARTED = time.monotonic()


def check_namespace() -> None:
    """Refuse to run on the host's network: the test must make its own namespace with the veth pair."""
    out = subprocess.run(["ip", "-o", "addr", "show", "dev", "v0"], capture_output=True, text=True, check=False)
    if "10.200.0.1" not in out.stdout:
        raise Failed("run me inside `unshare -n` with the v0/v1 veth pair (see tests/e2e/test_two_sites_call.py)")


def in_thread(function, *args):
    """Run ORM code away from Playwright's event loop (Django refuses sync ORM calls beside a running loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result(timeout=30)


def prepare_database(janus) -> dict:
    """Schema, geography, the province's sites, a Janus row, a scheduler and the meeting with its passes."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from districts.models import Site, Staff
    from districts.selectors import site_get_by_code
    from districts.services import staff_create
    from join.links import join_url
    from join.models import JoinPass
    from join.services import join_passes_ensure
    from meetings.models import MediaServer, Room
    from meetings.services.scheduling import meeting_schedule

    call_command("migrate", verbosity=0)
    call_command("load_geography", verbosity=0)
    call_command("create_province_sites", "41", verbosity=0)
    log("database ready")
    sites = {code: site_get_by_code(code=code) for code in (HALL, MUEANG, KUT_CHAP)}
    Site.objects.filter(pk=sites[KUT_CHAP].pk).update(contact_phone="042-123456")
    server = MediaServer(kind=MediaServer.Kind.JANUS, name="janus-e2e", url=janus.base_url,
                         admin_url=janus.admin_url, secret_env="JANUS_E2E", capacity_sites=100)
    server.full_clean()
    server.save()
    staff = staff_create(username="scheduler-e2e", password=SCHEDULER_PASSWORD, role=Staff.Role.SCHEDULER,
                         site=sites[HALL], first_name="ผู้จัด", email="scheduler@example.go.th")
    start = (timezone.now() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    meeting = meeting_schedule(
        title="ประชุมทดสอบระบบสองสถานที่", host_site=sites[HALL], sites=list(sites.values()), start=start,
        end=start + timedelta(hours=1), created_by=get_user_model().objects.get(pk=staff.user_id),
    )
    room = Room.objects.get(meeting=meeting)  # provisioned by the eager task when the schedule committed
    if room.state != Room.State.PROVISIONED:
        raise Failed(f"the room was not provisioned on Janus: {room.state} {room.last_error}")
    join_passes_ensure(meeting=meeting)
    links = {
        code: join_url(JoinPass.objects.get(meeting=meeting, site=site, revoked_at__isnull=True).token)
        for code, site in sites.items()
    }
    connection.close()
    return {"meeting_id": meeting.pk, "room": room.number, "links": links}


def start_portal(port: int):
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            pass

    httpd = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler, allow_reuse_address=True)
    httpd.set_app(StaticFilesHandler(get_wsgi_application()))
    thread = threading.Thread(target=httpd.serve_forever, name="portal", daemon=True)
    thread.start()
    return httpd


def start_attendance_poller(stop: threading.Event, seconds: float = 1.0) -> None:
    """What celery beat does in production (the attendance sweep every PRACHUM_ATTENDANCE_POLL_SECONDS), at the
    test's pace: the control centre shows what these polls wrote, its pages never ask the media server."""
    from django.db import connection

    from join.tasks import attendance_sweep

    def run() -> None:
        while not stop.wait(seconds):
            try:
                attendance_sweep()
            except Exception as error:  # keep polling, as beat would; the checks say what is missing
                log(f"attendance sweep failed: {error!r}")
            finally:
                connection.close()

    threading.Thread(target=run, name="attendance-poller", daemon=True).start()


def attendance_rows(meeting_id: int) -> dict[str, list]:
    from django.db import connection

    from join.models import Attendance

    rows = {}
    for row in Attendance.objects.filter(meeting_id=meeting_id).select_related("site__district", "site__province"):
        code = row.site.code if row.site_id else row.display
        rows.setdefault(code, []).append({"joined": row.joined_at.isoformat(),
                                          "left": row.left_at.isoformat() if row.left_at else None})
    connection.close()
    return rows


# Mueang joins from a phone-sized screen (touch, mobile viewport): the page must work there too.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 760}}


def browser(playwright, profile: Path, console: list, name: str, device: dict | None = None):
    # A Thai office's browser (Accept-Language th): the portal has an English catalogue, and Chromium's default
    # en-US would show the control centre in English.
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=False, args=CHROMIUM_ARGS, locale="th-TH",
        **(device or DESKTOP),
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.on("console", lambda message: console.append(f"{name} {message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"{name} pageerror: {error}"))
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page


def receiving(page) -> dict:
    return page.evaluate(
        """() => {
          const call = window.prachumCall || {};
          const feeds = {};
          for (const [key, feed] of Object.entries(call.feeds || {})) feeds[key] = {...feed};
          const tiles = [...document.querySelectorAll('.tile.remote')].map(t => ({
            display: t.dataset.display, width: t.querySelector('video').videoWidth, frames: +(t.dataset.frames || 0)}));
          return {phase: call.phase, errors: call.errors || [], feeds, tiles, kicked: !!call.kicked,
                  remote: +(document.body.dataset.remoteVideos || 0)};
        }"""
    )


def screenshots(pages: dict, stage: str) -> None:
    """With PRACHUM_E2E_SCREENSHOTS=<dir>, keep what each page looked like (for people reviewing the pages)."""
    folder = os.environ.get("PRACHUM_E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for code, page in pages.items():
            page.screenshot(path=str(Path(folder) / f"{stage}-{code}.png"), full_page=True)


def join_both(pages: dict, figures: dict) -> None:
    """Both sites pass the device check, join, and each decodes the other's video, frames still advancing."""
    for code, page in pages.items():
        page.wait_for_selector("#join-button:not([disabled])", timeout=15_000)
        figures[f"mic_level_{code}"] = page.evaluate("() => (window.prachumCall || {}).micLevel")
        page.click("#join-button")
    t_join = time.monotonic()
    for code, page in pages.items():
        try:
            page.wait_for_function("() => +(document.body.dataset.remoteVideos || 0) >= 1", timeout=20_000,
                                   polling=100)
        except Exception as error:
            raise Failed(f"site {code} never decoded the other site's video: {receiving(page)}") from error
    figures["seconds_to_both_videos"] = round(time.monotonic() - t_join, 2)
    log(f"each page decodes the other's video ({figures['seconds_to_both_videos']} s after joining)")
    before = {code: receiving(page) for code, page in pages.items()}
    time.sleep(1.0)
    for code, page in pages.items():
        other = MUEANG if code == HALL else HALL
        after = receiving(page)
        tiles = [t for t in after["tiles"] if t["display"].startswith(other + " · ")]
        if not tiles or tiles[0]["width"] <= 0:
            raise Failed(f"site {code} shows no video of {other}: {after}")
        old = next(t for t in before[code]["tiles"] if t["display"] == tiles[0]["display"])["frames"]
        if tiles[0]["frames"] <= old:
            raise Failed(f"site {code}: the frames of {other} stopped ({old} -> {tiles[0]['frames']})")
        figures[f"frames_{code}_of_{other}"] = tiles[0]["frames"]
        figures[f"video_width_{code}_of_{other}"] = tiles[0]["width"]
    log(f"frames advancing: {figures}")


def hall_presents_its_screen(pages: dict, figures: dict) -> None:
    """The hall presents (getDisplayMedia replaces its camera track): Mueang now receives the screen instead."""
    def hall_seen_by_mueang() -> dict:
        return next(t for t in receiving(pages[MUEANG])["tiles"] if t["display"].startswith(HALL + " · "))

    before = hall_seen_by_mueang()
    pages[HALL].click("#share-toggle")
    try:
        pages[HALL].wait_for_selector('#share-toggle[aria-pressed="true"]', timeout=10_000)
        pages[MUEANG].wait_for_function(
            f"""() => {{
              const tile = [...document.querySelectorAll('.tile.remote')]
                .find(t => t.dataset.display.startsWith('{HALL} · '));
              const video = tile && tile.querySelector('video');
              return video && video.videoWidth > 0 && video.videoWidth !== {before["width"]};
            }}""", timeout=15_000, polling=100,
        )
    except Exception as error:
        seen = hall_seen_by_mueang()
        raise Failed(f"screen sharing did not reach Mueang: {receiving(pages[HALL])} / {seen}") from error
    after = hall_seen_by_mueang()
    time.sleep(0.5)
    if hall_seen_by_mueang()["frames"] <= after["frames"]:
        raise Failed("Mueang's view of the hall's screen is frozen")
    figures["screen_share"] = {"camera_width": before["width"], "screen_width": after["width"]}
    pages[HALL].click("#share-toggle")  # back to the camera
    pages[HALL].wait_for_selector('#share-toggle[aria-pressed="false"]', timeout=10_000)
    log(f"the hall presented its screen: Mueang's view went from {before['width']} to {after['width']} px wide")


def board_states(board) -> tuple[dict, str]:
    states = board.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('tr[data-site]')]"
        ".map(r => [r.dataset.site, r.dataset.state]))"
    )
    return states, board.inner_text(".board .count").strip()


def check_control_centre(board, base_url: str, data: dict, figures: dict) -> None:
    board.goto(f"{base_url}/login/")
    board.fill("input[name=username]", "scheduler-e2e")
    board.fill("input[name=password]", SCHEDULER_PASSWORD)
    board.click("form button[type=submit]")
    board.wait_for_load_state("load")
    board.goto(f"{base_url}/meetings/join/control/")
    # The board shows the periodic poll's rows and htmx refreshes it each second: wait for the first poll.
    board.wait_for_selector(f'tr[data-site="{MUEANG}"][data-state="connected"]', timeout=10_000)
    states, count = board_states(board)
    figures["control_centre"] = {"states": states, "count": count}
    expected = {HALL: "connected", MUEANG: "connected", KUT_CHAP: "not_yet"}
    if states != expected or not count.startswith("2/3"):
        raise Failed(f"control centre shows {states} {count!r}, expected {expected} and 2/3")
    if 'href="tel:042-123456"' not in board.content():
        raise Failed("the late site's phone is not one click away on the control centre")
    log(f"control centre: {states}, {count!r}")
    rows = in_thread(attendance_rows, data["meeting_id"])
    figures["attendance"] = rows
    if sorted(rows) != sorted([HALL, MUEANG]) or any(r[0]["left"] for r in rows.values()):
        raise Failed(f"attendance rows should be one open row for {HALL} and {MUEANG}: {rows}")
    log("attendance rows exist for the two connected sites")


def site_page_shows_its_qr_codes(board, base_url: str, link: str, figures: dict) -> None:
    """Mueang's page (a scheduler of the province may open it) shows each meeting's QR code as an image of its
    own, loaded lazily: the browser draws it once scrolled to (a standalone SVG: its namespace and viewBox)."""
    page = board.context.new_page()
    try:
        page.goto(f"{base_url}/sites/{MUEANG}/", wait_until="load")
        image = page.locator("img.qr").first
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => { const i = document.querySelector('img.qr'); return i && i.complete && i.naturalWidth > 0; }",
            timeout=10_000,
        )
        size = page.evaluate("() => { const i = document.querySelector('img.qr'); "
                             "return [i.naturalWidth, i.getBoundingClientRect().width]; }")
        shot = Path(tempfile.mkdtemp(prefix="prachum-qr-")) / "qr.png"
        image.screenshot(path=str(shot))  # what the clerk's screen shows, read back as a phone's camera would
        read = subprocess.run(["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True, text=True,
                              check=False).stdout.split()
        shutil.rmtree(shot.parent, ignore_errors=True)
    finally:
        page.close()
    figures["site_page_qr"] = {"natural_width": size[0], "shown_width": size[1], "reads": read}
    if read != [link]:
        raise Failed(f"the QR code on Mueang's page reads {read}, not its join link {link}")
    log(f"Mueang's page shows its QR code as an image ({size[1]} px wide) that reads as its join link")


def host_removes_mueang(pages: dict, board, data: dict, figures: dict) -> None:
    """The host removes Mueang from its own page; the board, refreshed by htmx, shows it left."""
    pages[HALL].click(f'.tile.remote[data-display^="{MUEANG} · "] button.kick')
    pages[MUEANG].wait_for_function("() => (window.prachumCall || {}).kicked === true", timeout=10_000)
    log("the hall removed Mueang through the portal; Mueang's page says so")
    board.wait_for_selector(f'tr[data-site="{MUEANG}"][data-state="left"]', timeout=10_000)
    states, count = board_states(board)
    if not count.startswith("1/3") or states[HALL] != "connected":
        raise Failed(f"after the removal the control centre shows {states} {count!r}")
    rows = in_thread(attendance_rows, data["meeting_id"])
    if not rows.get(MUEANG) or not rows[MUEANG][-1]["left"]:
        raise Failed(f"Mueang's attendance row was not closed: {rows}")
    figures["after_kick"] = {"states": states, "count": count, "attendance": rows}
    log(f"control centre refreshed by htmx: Mueang left, {count!r}")


def test_call_rows(site_code: str) -> list[dict]:
    from django.db import connection

    from join.models import TestCall

    rows = [
        {"result": t.result, "media_flowing": t.media_flowing, "finished": bool(t.finished_at),
         "room": t.room_number, "closed": bool(t.room_closed_at)}
        for t in TestCall.objects.filter(site__district__code=site_code).order_by("pk")
    ]
    connection.close()
    return rows


def mueang_tests_itself(page, board, janus, data: dict, figures: dict) -> None:
    """Mueang opens its own test room from its link: sees itself come back from the server, the page reports it,
    the clerk confirms; the control centre shows Mueang tested; the test room is gone from Janus."""
    page.goto(data["links"][MUEANG], wait_until="load")
    page.click("form.test-first button")
    page.wait_for_selector("#join-button:not([disabled])", timeout=15_000)
    page.click("#join-button")
    try:
        page.wait_for_selector("#test-result:not([hidden])", timeout=20_000)
    except Exception as error:
        raise Failed(f"the test call never saw its own video come back: {receiving(page)}") from error
    log("Mueang's test call: its own video came back through Janus; the page reported media flowing")
    page.click('#test-result button[value="ok"]')
    page.wait_for_load_state("load")
    rows = in_thread(test_call_rows, MUEANG)
    if not rows or rows[-1]["result"] != "ok" or not rows[-1]["media_flowing"] or not rows[-1]["closed"]:
        raise Failed(f"the test call was not recorded as ok with media flowing and its room closed: {rows}")
    if rows[-1]["room"] in janus.rooms():
        raise Failed("the test room is still on Janus after the test")
    board.wait_for_function(
        f"() => (document.querySelector('tr[data-site=\"{MUEANG}\"] td:nth-child(4)') || {{}}).textContent"
        "?.includes('✓')", timeout=10_000,
    )
    figures["test_call"] = rows[-1]
    log("test call recorded (ok, media flowing, room closed); the control centre shows Mueang tested")


def run(playwright, *, work: Path, base_url: str, data: dict, console: list, janus) -> dict:
    figures: dict = {}
    pages = {}
    contexts = []
    try:
        for code in (HALL, MUEANG):
            context, page = browser(playwright, work / f"profile-{code}", console, code,
                                    PHONE if code == MUEANG else DESKTOP)
            contexts.append(context)
            pages[code] = page
            page.goto(data["links"][code], wait_until="load")
        log("both join pages loaded from the portal")
        join_both(pages, figures)
        screenshots(pages, "call")
        hall_presents_its_screen(pages, figures)
        context, board = browser(playwright, work / "profile-scheduler", console, "scheduler")
        contexts.append(context)
        check_control_centre(board, base_url, data, figures)
        screenshots({"scheduler": board}, "control")
        site_page_shows_its_qr_codes(board, base_url, data["links"][MUEANG], figures)
        host_removes_mueang(pages, board, data, figures)
        mueang_tests_itself(pages[MUEANG], board, janus, data, figures)
        return figures
    finally:
        for context in contexts:
            with contextlib.suppress(Exception):
                context.close()


def main() -> int:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="prachum-e2e-"))
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
                JANUS_E2E_ADMIN_KEY=janus.admin_key,
            )
            import django
            from django.conf import settings

            django.setup()
            settings.MEETINGS_CONTROL_REFRESH_SECONDS = 1  # the board's htmx polling, quicker for the test
            data = prepare_database(janus)
            httpd = start_portal(port)
            stack.callback(httpd.shutdown)
            poller_stop = threading.Event()
            start_attendance_poller(poller_stop)
            stack.callback(poller_stop.set)
            log(f"portal on {base_url}; meeting {data['meeting_id']} in Janus room {data['room']}")

            from playwright.sync_api import sync_playwright

            try:
                with sync_playwright() as playwright:
                    figures = run(playwright, work=work, base_url=base_url, data=data, console=console, janus=janus)
            except Exception:
                print("--- janus log (tail) ---\n" + janus.log_tail(20), flush=True)
                raise
        figures["seconds_total"] = round(time.monotonic() - STARTED, 2)
        print("E2E OK " + json.dumps(figures, ensure_ascii=False), flush=True)
        return 0
    except Exception as error:  # report everything we know, then fail
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
