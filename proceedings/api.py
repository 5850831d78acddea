"""/api/ of the roll-call and the votes: the same rules as the pages (proceedings.views), the same selectors and
services; every write is in the audit log (by the services), a secret ballot's choice never.

- `meetings/<id>/roll/`, `meetings/<id>/votes/` (GET, POST to open), `meetings/<id>/votes/<vote>/close/`: the
  province's schedulers and administrators (the chair); another province's meeting: 404.
- `sites/<code>/meetings/<id>/roll/` (GET, POST), `.../roll/<entry>/` (DELETE) and
  `sites/<code>/meetings/<id>/votes/<vote>/ballots/` (POST): the site's clerk (their own site), the province's
  schedulers and administrators; another site: 403; a meeting the site is not in: 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from districts.access import HasRole, Role, can_view_site
from districts.models import Site
from districts.selectors import site_get_by_code
from foundation.api_errors import FORBIDDEN, NOT_FOUND, bad_request, service_errors
from join.models import JoinPass
from meetings import selectors as meeting_selectors

from . import selectors, services
from .models import Choice, RollEntry, Vote

JOINING_ROLES = (Role.CLERK, Role.SCHEDULER, Role.ADMINISTRATOR)
CHAIR_ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR)

SITE_CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="รหัสสถานที่ เช่น 4101")
MEETING_ID = OpenApiParameter("meeting_id", OpenApiTypes.INT, OpenApiParameter.PATH)
VOTE_ID = OpenApiParameter("vote_id", OpenApiTypes.INT, OpenApiParameter.PATH)
ENTRY_ID = OpenApiParameter("entry_id", OpenApiTypes.INT, OpenApiParameter.PATH)


# --- serializers ---------------------------------------------------------------------------------------------


class RollPersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.CharField()
    role = serializers.ChoiceField(choices=["attendee", "participant"])


class RollAbsentSerializer(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.CharField()
    reason = serializers.CharField()


class SiteRollSerializer(serializers.Serializer):
    holder = serializers.CharField(help_text="สถานที่ (หรือส่วนราชการ) ที่ได้รับเชิญ")
    present = RollPersonSerializer(many=True)
    absent = RollAbsentSerializer(many=True)
    recorded_by = serializers.CharField(help_text="ผู้บันทึกครั้งล่าสุด")
    recorded_at = serializers.DateTimeField(allow_null=True, help_text="เวลาเซิร์ฟเวอร์ของการบันทึกครั้งล่าสุด")


class RollEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = RollEntry
        fields = ["id", "name", "position", "role", "reason", "recorded_by_label", "recorded_at"]
        read_only_fields = ["id", "recorded_by_label", "recorded_at"]


class RollEntryWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=RollEntry.Role.choices)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class UsualPersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.CharField()


class HolderRollSerializer(serializers.Serializer):
    holder = serializers.CharField()
    entries = RollEntrySerializer(many=True)
    usual = UsualPersonSerializer(many=True, help_text="รายชื่อประจำของสถานที่ที่ยังไม่ได้ลงชื่อในครั้งนี้")


class VoteResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="vote.pk")
    agenda_item = serializers.IntegerField(source="result.agenda_item")
    question = serializers.CharField(source="result.question")
    secret = serializers.BooleanField(source="result.secret")
    by = serializers.ChoiceField(source="result.by", choices=Vote.By.values)
    status = serializers.ChoiceField(source="result.status", choices=Vote.Status.values)
    counts = serializers.DictField(source="result.counts", child=serializers.IntegerField(),
                                   help_text="จำนวนตามมติ (ลงคะแนนลับ: 0 ทุกช่องจนกว่าจะปิด)")
    voters = serializers.ListField(source="result.voters", child=serializers.ListField(child=serializers.CharField()),
                                   help_text="[ผู้ลงมติ, มติ] (ลงคะแนนลับ: ว่างเสมอ)")
    eligible = serializers.IntegerField(source="result.eligible")
    cast = serializers.IntegerField(source="result.cast")
    quorum = serializers.IntegerField(source="result.quorum")
    quorum_met = serializers.BooleanField(source="result.quorum_met")
    opened_at = serializers.DateTimeField(source="result.opened_at")
    closed_at = serializers.DateTimeField(source="result.closed_at", allow_null=True)


class VoteOpenSerializer(serializers.Serializer):
    agenda_item = serializers.IntegerField(min_value=1, help_text="ระเบียบวาระที่ (เริ่มที่ 1)")
    question = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    secret = serializers.BooleanField(required=False, default=False)
    by = serializers.ChoiceField(choices=Vote.By.choices, required=False, default=Vote.By.SITE)


class BallotSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Choice.choices)
    person = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                   help_text="ชื่อผู้มาประชุม (เฉพาะการลงมติรายบุคคล)")


class BallotRecordedSerializer(serializers.Serializer):
    recorded = serializers.BooleanField()


# --- the chair -----------------------------------------------------------------------------------------------


class ChairAPIView(GenericAPIView):
    permission_classes = [HasRole]
    allowed_roles = CHAIR_ROLES
    pagination_class = None

    def get_meeting(self):
        meeting = (
            meeting_selectors.meetings_visible_to(self.request.user).select_related("host_site__province")
            .filter(pk=self.kwargs["meeting_id"]).first()
        )
        if meeting is None:
            raise Http404("ไม่พบการประชุมนี้ในจังหวัดของท่าน")
        return meeting


def _vote_row(meeting, vote_id: int):
    return next(row for row in selectors.vote_rows(meeting=meeting) if row.vote.pk == vote_id)


class MeetingRollView(ChairAPIView):
    """Every invited site's (and agency's) roll, host first, as the minutes read it."""

    serializer_class = SiteRollSerializer

    @extend_schema(parameters=[MEETING_ID], responses={200: SiteRollSerializer(many=True), 403: FORBIDDEN,
                                                       404: NOT_FOUND})
    def get(self, request, meeting_id: int):
        return Response(SiteRollSerializer(selectors.meeting_roll(meeting=self.get_meeting()), many=True).data)


class MeetingVotesView(ChairAPIView):
    """The meeting's votes in opening order (GET), or a new vote (POST: only while the meeting is under way)."""

    serializer_class = VoteResultSerializer

    @extend_schema(parameters=[MEETING_ID], responses={200: VoteResultSerializer(many=True), 403: FORBIDDEN,
                                                       404: NOT_FOUND})
    def get(self, request, meeting_id: int):
        return Response(VoteResultSerializer(selectors.vote_rows(meeting=self.get_meeting()), many=True).data)

    @extend_schema(
        parameters=[MEETING_ID], request=VoteOpenSerializer,
        responses={201: VoteResultSerializer, 400: bad_request(), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, meeting_id: int):
        meeting = self.get_meeting()
        given = VoteOpenSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            vote = services.vote_open(meeting=meeting, opened_by=request.user, **given.validated_data)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(VoteResultSerializer(_vote_row(meeting, vote.pk)).data, status=status.HTTP_201_CREATED)


class VoteCloseView(ChairAPIView):
    """Close a vote: its result goes to every join page."""

    serializer_class = VoteResultSerializer

    @extend_schema(
        parameters=[MEETING_ID, VOTE_ID], request=None,
        responses={200: VoteResultSerializer, 400: bad_request(), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, meeting_id: int, vote_id: int):
        meeting = self.get_meeting()
        vote = selectors.vote_get(meeting_id=meeting.pk, vote_id=vote_id)
        if vote is None:
            raise Http404("ไม่พบการลงมตินี้ในการประชุมนี้")
        try:
            services.vote_close(vote=vote, closed_by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(VoteResultSerializer(_vote_row(meeting, vote.pk)).data)


# --- a site ------------------------------------------------------------------------------------------------


class SiteAPIView(GenericAPIView):
    permission_classes = [HasRole]
    allowed_roles = JOINING_ROLES
    pagination_class = None

    def get_pass(self) -> JoinPass:
        site: Site | None = site_get_by_code(code=self.kwargs["code"])
        if site is None:
            raise Http404("ไม่พบสถานที่นี้")
        if not can_view_site(self.request.user, site):
            raise PermissionDenied("ท่านไม่มีสิทธิ์เข้าถึงข้อมูลของสถานที่นี้")
        join_pass = (
            JoinPass.objects.select_related("meeting__host_site__province", "site__district", "site__province")
            .filter(meeting_id=self.kwargs["meeting_id"], site=site, revoked_at__isnull=True).order_by().first()
        )
        if join_pass is None:
            raise Http404("สถานที่นี้ไม่ได้อยู่ในการประชุมนี้")
        return join_pass


class SiteRollView(SiteAPIView):
    """The site's roll of one meeting with its usual people (GET), or a person put on it (POST; the same name
    again changes their entry). Times are the database server's."""

    serializer_class = HolderRollSerializer

    @extend_schema(parameters=[SITE_CODE, MEETING_ID], responses={200: HolderRollSerializer, 403: FORBIDDEN,
                                                                   404: NOT_FOUND})
    def get(self, request, code: str, meeting_id: int):
        join_pass = self.get_pass()
        roll = selectors.holder_roll(join_pass=join_pass)
        usual = selectors.usual_people(join_pass=join_pass, exclude=[entry.name for entry in roll.entries])
        return Response(HolderRollSerializer({"holder": roll.name, "entries": roll.entries, "usual": usual}).data)

    @extend_schema(
        parameters=[SITE_CODE, MEETING_ID], request=RollEntryWriteSerializer,
        responses={201: RollEntrySerializer, 400: bad_request(), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, code: str, meeting_id: int):
        join_pass = self.get_pass()
        given = RollEntryWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            entry = services.roll_entry_record(join_pass=join_pass, by=request.user, **given.validated_data)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(RollEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class SiteRollEntryView(SiteAPIView):
    """Take a person off the site's roll (before the meeting is over)."""

    @extend_schema(parameters=[SITE_CODE, MEETING_ID, ENTRY_ID], request=None,
                   responses={204: None, 400: bad_request(), 403: FORBIDDEN, 404: NOT_FOUND})
    def delete(self, request, code: str, meeting_id: int, entry_id: int):
        join_pass = self.get_pass()
        try:
            services.roll_entry_remove(join_pass=join_pass, entry_id=entry_id, by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class SiteBallotView(SiteAPIView):
    """The site's ballot (or a person's on its roll, for a vote by person). The answer says it was recorded, never
    what was chosen."""

    serializer_class = BallotSerializer

    @extend_schema(
        parameters=[SITE_CODE, MEETING_ID, VOTE_ID], request=BallotSerializer,
        responses={201: BallotRecordedSerializer, 400: bad_request(), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, code: str, meeting_id: int, vote_id: int):
        join_pass = self.get_pass()
        vote = selectors.vote_get(meeting_id=join_pass.meeting_id, vote_id=vote_id)
        if vote is None:
            raise Http404("ไม่พบการลงมตินี้ในการประชุมนี้")
        try:
            services.vote_cast(vote=vote, join_pass=join_pass, choice=str(request.data.get("choice", "")),
                               person=str(request.data.get("person", "")), by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response({"recorded": True}, status=status.HTTP_201_CREATED)
