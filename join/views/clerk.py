"""The clerk's side of joining: their site's page and what it serves or posts: the meeting's .ics, the join sheet
(HTML and PDF), a new join link, a new calendar feed link, the feed itself and the site's test call."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views import View
from django.views.generic import TemplateView

from districts.access import Role, RoleRequiredMixin, has_role, require_site, staff_of
from districts.models import Site
from districts.selectors import site_get_by_code
from foundation.pdf import html_to_pdf
from foundation.thaidate import BANGKOK, format_be_long, format_be_short
from meetings.calendar import meeting_ics, site_feed_ics

from .. import selectors, services
from ..clerk_page_etag import clerk_page_digest, page_etag, release_digest, still_fresh
from ..links import (
    feed_url,
    join_qr_path_maker,
    join_url,
    join_url_maker,
    portal_url,
    short_code_text,
    short_url,
    site_meeting_paths_maker,
)
from ..qr import qr_svgs
from ._common import JOINING_ROLES, _capability_page


def _organizer_email() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


# --- the clerk's side: their site's files ------------------------------------------------------------------


def site_page_context(*, user, site: Site, everything: bool = False) -> dict:
    """What the site's page (SitePageView) shows of its meetings (today and the next
    CLERK_DAYS days, or `everything` ahead), its test call and its calendar feed, and until when that stays
    true (`site_page_valid_until`: a Join button opens, a meeting ends, the day changes)."""
    can_join = has_role(user, JOINING_ROLES)
    days = None if everything else selectors.CLERK_DAYS
    listing = selectors.clerk_meetings(site=site, days=days)
    entries = listing.entries
    context = {
        "site_meetings": entries, "can_join": can_join, "later": listing.later, "everything": days is None,
        "days_ahead": selectors.CLERK_DAYS, "site_page_valid_until": listing.valid_until,
    }
    if can_join:
        link_of, qr_of, paths_of = join_url_maker(), join_qr_path_maker(), site_meeting_paths_maker(site.code)
        documents = selectors.meeting_documents(meeting_ids=[entry.meeting.pk for entry in entries]) if entries else {}
        for entry in entries:
            entry.documents = documents.get(entry.meeting.pk, [])
            entry.join_url = link_of(entry.join_pass.token) if entry.join_pass else ""
            entry.qr_src = qr_of(entry.join_pass.token) if entry.join_pass else ""
            entry.short_code = short_code_text(entry.join_pass.short_code) if entry.join_pass else ""
            entry.urls = paths_of(entry.meeting.pk)
        context["short_form_url"] = short_url()
        feed = selectors.site_calendar_feed(site=site)
        context["feed_url"] = feed_url(feed.token) if feed else ""
        context["last_test_call"] = selectors.site_last_test_call(site=site)
    return context


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class SitePageView(RoleRequiredMixin, TemplateView):
    """A site's own page: what the clerk opens every morning — its meetings with their join buttons, calendar
    files, QR codes and join sheets, the test call and the calendar feed; `?all=1` lists every coming meeting
    instead of the next two weeks. Rendered from the database each time, at a fixed number of queries; it only
    reads (passes exist from the moment a site is invited, the feed from the clerk's first "new link"), so it
    runs outside the request's transaction."""

    allowed_roles = tuple(Role.values)
    template_name = "districts/site_detail.html"

    def get_site(self) -> Site:
        code = self.kwargs["code"]
        staff = staff_of(self.request.user)
        if staff is not None and staff.site.code == code:
            return staff.site  # their own site: read with their Staff row (and its district and province)
        site = site_get_by_code(code=code)
        if site is None:
            raise Http404("ไม่พบสถานที่นี้")
        return site

    def get(self, request, *args, **kwargs):
        """The page, or 304 Not Modified when the browser's copy still shows what the page would (join/
        clerk_page_etag.py: a digest PostgreSQL makes of the page's rows, read before them, and until when)."""
        site = self.get_site()
        require_site(request.user, site)
        everything = request.GET.get("all") == "1"
        base = _etag_base(request, site=site, everything=everything, now=timezone.now())
        revalidation = request.headers.get("If-None-Match", "")
        if revalidation and not len(messages.get_messages(request)) and still_fresh(
            if_none_match=revalidation, base=base, now=timezone.now()
        ):
            response = HttpResponseNotModified()
        else:
            context = site_page_context(user=request.user, site=site, everything=everything)
            response = self.render_to_response(self.get_context_data(site=site, **context))
            response["ETag"] = page_etag(base=base, valid_until=context["site_page_valid_until"])
        response["Cache-Control"] = "private, no-cache"  # kept by the browser, asked again at every visit
        patch_vary_headers(response, ("Cookie",))
        return response


def _etag_base(request, *, site: Site, everything: bool, now) -> str:
    """What the page depends on: its rows (one query), the release, who asks and how."""
    staff = staff_of(request.user)
    return "\n".join((
        clerk_page_digest(site_id=site.pk, now=now),
        release_digest(),
        str(request.user.pk),
        request.user.get_username(),
        f"{staff.role}:{staff.site_id}" if staff else "",
        get_language() or "",
        "all" if everything else "next",
        request.session.session_key or "",
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
    ))


class SiteMixin(RoleRequiredMixin):
    """A page about one site (by its code) that only people who may see that site open."""

    allowed_roles = JOINING_ROLES

    def get_site(self) -> Site:
        site = site_get_by_code(code=self.kwargs["code"])
        if site is None:
            raise Http404("ไม่พบสถานที่นี้")
        require_site(self.request.user, site)
        return site

    def get_entry(self, site: Site) -> selectors.ClerkMeeting:
        entry = selectors.clerk_meeting_get(site=site, meeting_id=self.kwargs["pk"])
        if entry is None:
            raise Http404("สถานที่นี้ไม่ได้อยู่ในการประชุมนี้")
        return entry


class MeetingIcsView(SiteMixin, View):
    """The meeting as a calendar file for the site (with the site's own join link)."""

    def get(self, request, code: str, pk: int):
        site = self.get_site()
        entry = self.get_entry(site)
        link = join_url(entry.join_pass.token) if entry.join_pass else None
        body = meeting_ics(
            meeting=entry.meeting, method="PUBLISH", join_url=link, organizer_email=_organizer_email(),
            location=site.meeting_room or site.name,
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="prachum-{entry.meeting.pk}-{site.code}.ics"'
        return _capability_page(response)


def _sheet_context(site: Site, entry: selectors.ClerkMeeting) -> dict:
    meeting = entry.meeting
    link = join_url(entry.join_pass.token) if entry.join_pass else ""
    local_start, local_end = meeting.start.astimezone(BANGKOK), meeting.end.astimezone(BANGKOK)
    return {
        "site": site,
        "entry": entry,
        "meeting": meeting,
        "join_link": link,
        "short_code": short_code_text(entry.join_pass.short_code) if entry.join_pass else "",
        "short_url": short_url(),
        "qr": qr_svgs([(link, meeting.title)], scale=5)[0] if link else "",
        "date_long": format_be_long(meeting.start),
        "time_text": f"{local_start:%H:%M}–{local_end:%H:%M} น.",
        "opens_text": f"{format_be_short(entry.opens_at)} {entry.opens_at.astimezone(BANGKOK):%H:%M} น.",
        "checklist": [item for item in (site.equipment_checklist or []) if str(item).strip()],
        "printed_at": format_be_short(timezone.now(), with_time=True),
    }


class JoinSheetView(SiteMixin, TemplateView):
    """The printable one-page join sheet (A4, Thai): open it and print, or take the PDF."""

    template_name = "join/sheet.html"

    def get_context_data(self, **kwargs):
        site = self.get_site()
        return super().get_context_data(**_sheet_context(site, self.get_entry(site)), **kwargs)


class JoinSheetPdfView(SiteMixin, View):
    def get(self, request, code: str, pk: int):
        site = self.get_site()
        entry = self.get_entry(site)
        context = _sheet_context(site, entry) | {"for_pdf": True}
        html = render(request, "join/sheet.html", context).content.decode()
        # The sheet's stylesheet from the static files on disk: WeasyPrint fetches nothing over the network.
        pdf = html_to_pdf(html, base_url=portal_url("/"), stylesheet_files=(finders.find("join/sheet.css"),))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="join-sheet-{entry.meeting.pk}-{site.code}.pdf"'
        return _capability_page(response)


class JoinPassRenewView(SiteMixin, View):
    """A new join link for the site (the old one stops working): for a link that went where it should not. The GET
    asks first and says what stops working; the POST renews and leads to the new sheet to print (`?done=1`)."""

    def get(self, request, code: str, pk: int):
        site = self.get_site()
        entry = self.get_entry(site)
        context = {"site": site, "meeting": entry.meeting, "done": request.GET.get("done") == "1",
                   "urls": site_meeting_paths_maker(site.code)(entry.meeting.pk)}
        return render(request, "join/renew_confirm.html", context)

    def post(self, request, code: str, pk: int):
        site = self.get_site()
        entry = self.get_entry(site)
        try:
            services.join_pass_renew(meeting=entry.meeting, site=site, by=request.user)
        except ValidationError as error:  # cancelled or over: nothing to renew
            messages.error(request, " ".join(error.messages))
            return redirect("site:page", code=site.code)
        return redirect(f"{request.path}?done=1")


class FeedRenewView(SiteMixin, View):
    def post(self, request, code: str):
        site = self.get_site()
        services.calendar_feed_renew(site=site)
        messages.success(
            request, "ออกลิงก์ปฏิทินใหม่แล้ว: ปฏิทินที่สมัครด้วยลิงก์เดิมจะไม่ได้รับการประชุมอีก โปรดสมัครใหม่ด้วยลิงก์ใหม่"
        )
        return redirect("site:page", code=site.code)


def calendar_feed(request, token: str):
    """The site's subscribed calendar (no login: the secret address is the key)."""
    feed = selectors.calendar_feed_get(token=token)
    if feed is None:
        raise Http404("ไม่พบปฏิทินนี้ หรือมีการออกลิงก์ใหม่แล้ว")
    meetings = selectors.feed_meetings(site=feed.site)

    def link(meeting):
        passes = getattr(meeting, "site_passes", [])
        return join_url(passes[0].token) if passes else None

    body = site_feed_ics(site=feed.site, meetings=meetings, url_for_meeting=link)
    return _capability_page(HttpResponse(body, content_type="text/calendar; charset=utf-8"))


class SiteTestCallStartView(SiteMixin, View):
    """A clerk starts a test call of their site (any time)."""

    def post(self, request, code: str):
        site = self.get_site()
        try:
            test_call = services.site_test_call_start(site=site, user=request.user)
        except services.MediaUnavailable as error:
            return render(request, "join/refused.html",
                          {"title": "ทดสอบระบบไม่ได้ในขณะนี้", "message": str(error)}, status=503)
        return redirect("join:test-call", token=test_call.token)

