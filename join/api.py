"""/api/ of joining: the clerk's page, the control centre of one meeting and its attendance report, as data.

The same rules as the pages (join.views): the views parse, ask the same selectors and services, render.
- `sites/<code>/meetings/`: whoever may open the site's page; the join link and the site's files only for the
  roles that may join (clerks, schedulers, administrators), never for finance: exactly what the page shows.
- the clerk's page's buttons: a new join link of a meeting (`sites/<code>/meetings/<id>/join-pass/renew/`), the
  site's calendar feed and a new one (`sites/<code>/calendar-feed/`, `.../renew/`), its test calls and a new one
  (`sites/<code>/test-calls/`): the roles that may join, of the site (clerks: their own; the hall's schedulers
  and administrators: the province), never finance, as the page (join.views.SiteMixin).
- `meetings/<id>/connections/` and `meetings/<id>/attendance/`: schedulers and administrators of the province.
Pass tokens appear only as the site's own join link, to those who may see that site's page.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings

from districts.access import HasRole, Role, can_view_site, has_role, staff_of
from districts.models import Site
from districts.selectors import site_get_by_code
from foundation.api_errors import FORBIDDEN, LIST_NOT_FOUND, NOT_FOUND, bad_request, detail_response, service_errors
from foundation.thaidate import BANGKOK

from . import selectors, services
from .links import feed_url, join_qr_path_maker, join_url_maker, portal_url, site_meeting_paths_maker
from .models import TestCall
from .views import CONTROL_ROLES, JOINING_ROLES

# --- serializers: render the selectors' dataclasses --------------------------------------------------------


class SiteRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ClerkMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="meeting.pk")
    title = serializers.CharField(source="meeting.title")
    start = serializers.DateTimeField(source="meeting.start")
    end = serializers.DateTimeField(source="meeting.end")
    status = serializers.CharField(source="meeting.status")
    is_host = serializers.BooleanField()
    host_site_name = serializers.CharField(source="meeting.host_site.name")
    is_today = serializers.BooleanField(help_text="เริ่มวันนี้ (เวลาประเทศไทย)")
    window = serializers.ChoiceField(
        choices=["open", "later", "cancelled"], help_text="open: เข้าร่วมได้แล้ว, later: ยังไม่ถึงเวลา, cancelled"
    )
    is_open_now = serializers.BooleanField(source="open_now", help_text="ปุ่มเข้าร่วมประชุมใช้ได้ตอนนี้")
    opens_at = serializers.DateTimeField(help_text="เข้าร่วมได้ตั้งแต่ (30 นาทีก่อนเริ่ม)")
    room_ready = serializers.BooleanField(
        help_text="ห้องประชุมอยู่บนเซิร์ฟเวอร์แล้ว (false: ยังไม่พร้อม — กำลังเชื่อมต่อใหม่ เช่น เซิร์ฟเวอร์ขัดข้อง)"
    )
    join_url = serializers.URLField(
        allow_null=True, help_text="ลิงก์เข้าร่วมของสถานที่นี้ (null: ยกเลิกแล้ว หรือบทบาทที่ไม่ได้เข้าร่วมประชุม)"
    )
    qr_url = serializers.URLField(allow_null=True, help_text="คิวอาร์โค้ดของลิงก์เข้าร่วม (SVG)")
    ics_url = serializers.URLField(allow_null=True)
    sheet_url = serializers.URLField(allow_null=True)
    sheet_pdf_url = serializers.URLField(allow_null=True)


class SiteMeetingsSerializer(serializers.Serializer):
    site = SiteRefSerializer()
    can_join = serializers.BooleanField(help_text="ผู้เรียกเห็นลิงก์เข้าร่วมและไฟล์ของสถานที่ (การเงิน: ไม่เห็น)")
    meetings = ClerkMeetingSerializer(many=True)
    later = serializers.IntegerField(help_text="จำนวนการประชุมหลังช่วงที่แสดง (ดูทั้งหมดด้วย ?all=1)")


class SiteStatusSerializer(serializers.Serializer):
    site = SiteRefSerializer()
    is_host = serializers.BooleanField()
    state = serializers.ChoiceField(choices=["connected", "not_yet", "left"])
    since = serializers.DateTimeField(allow_null=True, help_text="connected: เชื่อมต่อตั้งแต่, left: ออกเมื่อ")
    first_joined = serializers.DateTimeField(allow_null=True)
    tested = serializers.BooleanField(help_text="ทดสอบระบบสำเร็จภายใน 24 ชั่วโมงก่อนประชุม")
    tested_at = serializers.DateTimeField(source="last_test.finished_at", allow_null=True, default=None)
    contact_phone = serializers.CharField(source="site.contact_phone")


class MeetingRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()


class AgencyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class AgencyStatusSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    state = serializers.ChoiceField(choices=["connected", "left", "not_yet"])
    since = serializers.DateTimeField(allow_null=True)


class ConnectionsSerializer(serializers.Serializer):
    meeting = MeetingRefSerializer()
    connected = serializers.IntegerField()
    invited = serializers.IntegerField()
    tested = serializers.IntegerField()
    sites = SiteStatusSerializer(many=True)
    agencies = AgencyStatusSerializer(many=True, help_text="ส่วนราชการที่ได้รับเชิญ (เข้าด้วยลิงก์ของตนเอง)")
    guests = serializers.SerializerMethodField(help_text="ผู้อื่นในห้องที่ยังเชื่อมต่ออยู่ (ชื่อที่แสดง)")
    poll_error = serializers.CharField(
        help_text="การถามเซิร์ฟเวอร์สื่อครั้งล่าสุดไม่สำเร็จ (สถานะที่แสดงคือที่ทราบล่าสุด); ว่างเมื่อสำเร็จ"
    )
    polled = serializers.BooleanField(
        help_text="การประชุมอยู่ในช่วงที่งานเบื้องหลังถามเซิร์ฟเวอร์สื่อว่าใครอยู่ในห้อง (ทุกไม่กี่วินาที)"
    )
    polled_at = serializers.DateTimeField(allow_null=True, help_text="เวลาที่ถามเซิร์ฟเวอร์สื่อครั้งล่าสุด")
    room_ready = serializers.BooleanField(help_text="ห้องประชุมอยู่บนเซิร์ฟเวอร์แล้ว (false: กำลังเชื่อมต่อใหม่)")
    poll_late = serializers.BooleanField(
        help_text="อยู่ในช่วงถามแต่ไม่ได้ถามมานานแล้ว (งานเบื้องหลังไม่ทำงาน): สถานะอาจไม่เป็นปัจจุบัน"
    )

    def get_guests(self, board) -> list[str]:
        return [row.display for row in board.guests]


class SiteAttendanceSerializer(serializers.Serializer):
    site = SiteRefSerializer()
    is_host = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["present", "late", "absent"])
    first_joined = serializers.DateTimeField(allow_null=True)
    last_left = serializers.DateTimeField(allow_null=True)
    still_connected = serializers.BooleanField()
    connected_minutes = serializers.IntegerField()
    connections = serializers.IntegerField()
    minutes_late = serializers.IntegerField()


class AgencyAttendanceSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    status = serializers.ChoiceField(choices=["present", "late", "absent"])
    first_joined = serializers.DateTimeField(allow_null=True)
    last_left = serializers.DateTimeField(allow_null=True)
    still_connected = serializers.BooleanField()
    connected_minutes = serializers.IntegerField()
    connections = serializers.IntegerField()
    minutes_late = serializers.IntegerField()


class AttendanceSerializer(serializers.Serializer):
    meeting = MeetingRefSerializer()
    late_after_minutes = serializers.SerializerMethodField()
    present = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()
    absent = serializers.SerializerMethodField()
    sites = SiteAttendanceSerializer(many=True)
    guests = serializers.ListField(child=serializers.CharField(), help_text="ผู้เข้าร่วมประชุมที่ไม่ใช่สถานที่ที่เชิญ")
    agencies = AgencyRefSerializer(many=True)
    agency_attendance = AgencyAttendanceSerializer(many=True, source="agency_rows")

    def get_late_after_minutes(self, report) -> int:
        return int(selectors.LATE_AFTER.total_seconds() // 60)

    def get_present(self, report) -> int:
        return len(report.present)

    def get_late(self, report) -> int:
        return len(report.late)

    def get_absent(self, report) -> int:
        return len(report.absent)


class CalendarFeedSerializer(serializers.Serializer):
    feed_url = serializers.URLField(
        source="url", help_text="ลิงก์ปฏิทินของสถานที่ (เพิ่มใน Google / Outlook / โทรศัพท์ ด้วย “เพิ่มปฏิทินจาก URL”)"
    )
    created_at = serializers.DateTimeField(help_text="ออกลิงก์นี้เมื่อ")


class TestCallSerializer(serializers.ModelSerializer):
    site = SiteRefSerializer(read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    started_by = serializers.CharField(
        source="started_by.username", default=None, allow_null=True, read_only=True,
        help_text="ผู้เริ่มทดสอบ (null: ผ่านลิงก์เข้าร่วมประชุม ไม่ได้เข้าสู่ระบบ)",
    )
    open_until = serializers.SerializerMethodField(help_text="ห้องทดสอบเปิดถึงเวลานี้ (ปิดก่อนเมื่อตอบผลแล้ว)")

    class Meta:
        model = TestCall
        fields = [
            "id", "site", "result", "result_display", "started_at", "started_by", "open_until", "finished_at",
            "saw_video", "heard_audio", "media_flowing", "note",
        ]
        read_only_fields = fields

    def get_open_until(self, test_call) -> datetime:
        return test_call.started_at + services.TEST_CALL_LIFETIME


class TestCallStartedSerializer(TestCallSerializer):
    page_url = serializers.SerializerMethodField(
        help_text="หน้าทดสอบ: เปิดในเบราว์เซอร์ของห้องประชุม (กล้อง ไมโครโฟน) แล้วตอบว่าเห็นภาพและได้ยินเสียงหรือไม่"
    )

    class Meta(TestCallSerializer.Meta):
        fields = [*TestCallSerializer.Meta.fields, "page_url"]
        read_only_fields = fields

    def get_page_url(self, test_call) -> str:
        return portal_url(reverse("join:test-call", kwargs={"token": test_call.token}))


# --- views -------------------------------------------------------------------------------------------------

SITE_CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^[0-9]{2}([0-9]{2})?$",
    description="รหัสสถานที่: รหัสอำเภอ 4 หลัก หรือรหัสจังหวัด 2 หลักสำหรับศาลากลางจังหวัด",
)
MEETING_ID = OpenApiParameter("meeting_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _province_id(user) -> int:
    return staff_of(user).site.province_id


def _visible_site(user, code: str) -> Site:
    """The site of the URL, if the caller may see it (404 for a code that names no site, 403 for another's)."""
    staff = staff_of(user)
    site = staff.site if staff.site.code == code else site_get_by_code(code=code)
    if site is None:
        raise Http404("ไม่พบสถานที่นี้")
    if not can_view_site(user, site):
        raise PermissionDenied("ท่านไม่มีสิทธิ์เข้าถึงข้อมูลของสถานที่นี้")
    return site


def _with_links(entries: list[selectors.ClerkMeeting], *, site: Site, can_join: bool) -> None:
    """Put on each entry what ClerkMeetingSerializer renders: the join link and the files, for those who join."""
    link_of, qr_of, paths_of = join_url_maker(), join_qr_path_maker(), site_meeting_paths_maker(site.code)
    now = timezone.now()
    for entry in entries:
        entry.open_now = entry.window == "open" and now < entry.meeting.end
        shown = can_join and entry.join_pass is not None  # finance: no links, no files (as on the page)
        urls = paths_of(entry.meeting.pk) if shown else {}
        entry.join_url = link_of(entry.join_pass.token) if shown else None
        entry.qr_url = portal_url(qr_of(entry.join_pass.token)) if shown else None
        entry.ics_url = portal_url(urls["ics"]) if shown else None
        entry.sheet_url = portal_url(urls["sheet"]) if shown else None
        entry.sheet_pdf_url = portal_url(urls["pdf"]) if shown else None


class SiteMeetingsView(GenericAPIView):
    """The clerk's page as data: the site's meetings of today and the next 14 days (at least the next three), or
    every coming one with `?all=1`, each with the site's join link, whether it opens now and when, and its files.

    Like the page it only reads: passes exist from the moment a site is invited."""

    permission_classes = [HasRole]
    allowed_roles = tuple(Role.values)
    serializer_class = SiteMeetingsSerializer
    pagination_class = None

    @extend_schema(
        parameters=[SITE_CODE, OpenApiParameter("all", OpenApiTypes.BOOL, description="ทุกการประชุมที่กำลังจะมาถึง")],
        responses={200: SiteMeetingsSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, code: str):
        user = request.user
        site = _visible_site(user, code)
        everything = request.query_params.get("all") in {"1", "true"}
        listing = selectors.clerk_meetings(site=site, days=None if everything else selectors.CLERK_DAYS)
        can_join = has_role(user, JOINING_ROLES)
        _with_links(listing.entries, site=site, can_join=can_join)
        data = {"site": site, "can_join": can_join, "meetings": listing.entries, "later": listing.later}
        return Response(self.get_serializer(data).data)


# --- the clerk's page's buttons ----------------------------------------------------------------------------


class SiteActionView(GenericAPIView):
    """The roles that may join, for a site they may see (as join.views.SiteMixin)."""

    permission_classes = [HasRole]
    allowed_roles = JOINING_ROLES
    pagination_class = None

    def get_site(self) -> Site:
        return _visible_site(self.request.user, self.kwargs["code"])


class JoinPassRenewView(SiteActionView):
    """A new join link of the site for one meeting: the old link is refused from now on (for a link that went
    where it should not), as the page's "new link" button. The answer is the meeting as the site's list shows it,
    with the new link. 400 for a cancelled meeting or one that is over."""

    serializer_class = ClerkMeetingSerializer

    @extend_schema(
        operation_id="site_meeting_join_pass_renew",
        parameters=[SITE_CODE, MEETING_ID],
        request=None,
        responses={
            200: ClerkMeetingSerializer,
            400: bad_request("ออกลิงก์ใหม่ไม่ได้: {\"non_field_errors\": [ข้อความ]} เช่น การประชุมยกเลิกแล้ว"),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, code: str, meeting_id: int):
        site = self.get_site()
        entry = selectors.clerk_meeting_get(site=site, meeting_id=meeting_id)
        if entry is None:
            raise Http404("สถานที่นี้ไม่ได้อยู่ในการประชุมนี้")
        try:
            entry.join_pass = services.join_pass_renew(meeting=entry.meeting, site=site, by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        _with_links([entry], site=site, can_join=True)
        return Response(self.get_serializer(entry).data)


class CalendarFeedView(SiteActionView):
    """The site's calendar feed link, as the clerk's page shows it. GET only reads (404 while the site has none);
    POST makes it the first time, as the page's "create the calendar link" button, and gives the same one after."""

    serializer_class = CalendarFeedSerializer

    @extend_schema(
        operation_id="site_calendar_feed_retrieve", parameters=[SITE_CODE],
        responses={200: CalendarFeedSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        description="404 also while the site has no feed link yet: POST to this address makes it.",
    )
    def get(self, request, code: str):
        feed = selectors.site_calendar_feed(site=self.get_site())
        if feed is None:
            raise Http404("สถานที่นี้ยังไม่มีลิงก์ปฏิทิน: ส่ง POST มาที่ที่อยู่นี้เพื่อสร้าง")
        return Response(self.get_serializer(_feed_data(feed)).data)

    @extend_schema(
        operation_id="site_calendar_feed_create", parameters=[SITE_CODE], request=None,
        responses={200: CalendarFeedSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, code: str):
        feed = services.calendar_feed_ensure(site=self.get_site())
        return Response(self.get_serializer(_feed_data(feed)).data)


class CalendarFeedRenewView(SiteActionView):
    """A new calendar feed link for the site: the old one is refused from now on (a clerk left, the link was
    shared). Calendars subscribed to the old link must be given the new one."""

    serializer_class = CalendarFeedSerializer

    @extend_schema(
        operation_id="site_calendar_feed_renew", parameters=[SITE_CODE], request=None,
        responses={200: CalendarFeedSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, code: str):
        feed = services.calendar_feed_renew(site=self.get_site())
        return Response(self.get_serializer(_feed_data(feed)).data)


def _feed_data(feed) -> dict:
    return {"url": feed_url(feed.token), "created_at": feed.created_at}


MEDIA_UNAVAILABLE = detail_response(
    "ไม่มีเซิร์ฟเวอร์สื่อที่ใช้งานได้ หรือสร้างห้องทดสอบไม่สำเร็จ: ลองใหม่ภายหลัง (บันทึกการทดสอบเป็น “มีปัญหา”)"
)


class SiteTestCallsView(SiteActionView):
    """The site's test calls (newest first; the clerk's page shows the last one), and a new one: a room of the
    site's own on a media server where it sees and hears itself. Open `page_url` in the room's browser; the
    result (what the clerk answers there) appears in this list."""

    serializer_class = TestCallSerializer
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        operation_id="site_test_calls_list", parameters=[SITE_CODE],
        responses={200: TestCallSerializer(many=True), 403: FORBIDDEN, 404: LIST_NOT_FOUND},
    )
    def get(self, request, code: str):
        page = self.paginate_queryset(selectors.site_test_calls(site=self.get_site()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="site_test_calls_create", parameters=[SITE_CODE], request=None,
        responses={201: TestCallStartedSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 503: MEDIA_UNAVAILABLE},
    )
    def post(self, request, code: str):
        site = self.get_site()
        try:
            test_call = services.site_test_call_start(site=site, user=request.user)
        except services.MediaUnavailable as error:
            # As the page: the failed attempt stays recorded (this answer does not roll the request back).
            return Response({"detail": str(error)}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                            headers={"Retry-After": "60"})
        return Response(TestCallStartedSerializer(test_call).data, status=status.HTTP_201_CREATED)


# --- the control centre and attendance ---------------------------------------------------------------------


class MeetingConnectionsView(GenericAPIView):
    """The control centre for one meeting: each invited site connected / not yet / left, since when, whether it
    tested before the meeting, its phone, and the "n/m connected" counts.

    As the control centre's board, it reads what the periodic task recorded: while the meeting is in its polling
    window (from 30 minutes before the start until shortly after the end) the task asks the media server who is
    in the room every few seconds. A request never asks the server itself."""

    permission_classes = [HasRole]
    allowed_roles = CONTROL_ROLES
    serializer_class = ConnectionsSerializer
    pagination_class = None

    @extend_schema(
        parameters=[MEETING_ID],
        responses={200: ConnectionsSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        description="404 also for a cancelled meeting (the control centre does not show it).",
    )
    def get(self, request, meeting_id: int):
        province_id = _province_id(request.user)
        meeting = selectors.meeting_for_report(meeting_id=meeting_id, province_id=province_id)
        if meeting is None or meeting.is_cancelled:
            raise Http404("ไม่พบการประชุมนี้")
        day = meeting.start.astimezone(BANGKOK).date()
        boards = selectors.control_centre(province_id=province_id, day=day)
        board = next((b for b in boards if b.meeting.pk == meeting.pk), None)
        if board is None:  # pragma: no cover - the same filters as meeting_for_report, on the meeting's day
            raise Http404("ไม่พบการประชุมนี้")
        return Response(self.get_serializer(board).data)


class MeetingAttendanceView(GenericAPIView):
    """The attendance report: present, late (first connection more than 10 minutes after the start) and absent
    sites with their times, and the others in the room. Personal data: every request is in the audit log, as an
    export of the CSV is."""

    permission_classes = [HasRole]
    allowed_roles = CONTROL_ROLES
    serializer_class = AttendanceSerializer
    pagination_class = None

    @extend_schema(parameters=[MEETING_ID], responses={200: AttendanceSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int):
        meeting = selectors.meeting_for_report(meeting_id=meeting_id, province_id=_province_id(request.user))
        if meeting is None:
            raise Http404("ไม่พบการประชุมนี้")
        report = selectors.attendance_report(meeting=meeting)
        services.attendance_export_record(meeting=meeting, user=request.user, rows=len(report.sites))
        return Response(self.get_serializer(report).data)
