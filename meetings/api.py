"""/api/meetings/: the same rules as the pages (schedulers and administrators, their province only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from districts.access import HasRole, Role
from foundation.api_errors import FORBIDDEN, LIST_NOT_FOUND, NOT_FOUND, bad_request, service_errors
from foundation.thaidate import BANGKOK

from . import selectors
from .serializers import MeetingPatchSerializer, MeetingSerializer, MeetingWriteSerializer
from .services import scheduling

BAD_REQUEST = bad_request("ข้อมูลไม่ถูกต้อง: {ชื่อช่อง: [ข้อความ]} เช่น สถานที่ที่ติดประชุม")


@extend_schema_view(
    list=extend_schema(responses={200: MeetingSerializer(many=True), 403: FORBIDDEN, 404: LIST_NOT_FOUND}),
    retrieve=extend_schema(responses={200: MeetingSerializer, 403: FORBIDDEN, 404: NOT_FOUND}),
    create=extend_schema(
        request=MeetingWriteSerializer, responses={201: MeetingSerializer, 400: BAD_REQUEST, 403: FORBIDDEN}
    ),
    partial_update=extend_schema(
        request=MeetingPatchSerializer,
        responses={200: MeetingSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class MeetingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Meetings of the caller's province: list, create, retrieve, change (PATCH) and cancel."""

    serializer_class = MeetingSerializer
    permission_classes = [HasRole]
    allowed_roles = (Role.SCHEDULER, Role.ADMINISTRATOR)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.meeting_list_for_api(user=self.request.user)

    def _render(self, meeting, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(MeetingSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request, *args, **kwargs):
        incoming = MeetingWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            meeting = scheduling.meeting_schedule(created_by=request.user, **incoming.validated_data)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self._render(meeting, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        meeting = self.get_object()
        incoming = MeetingPatchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        start, end = data.pop("start", None), data.pop("end", None)
        scope, host_site = data.pop("scope", None), data.pop("host_site", None)
        try:
            if scope is not None or host_site is not None:
                meeting = self._series_update(meeting, scope=scope or "one", host_site=host_site, start=start,
                                              end=end, data=data)
            else:
                if data:
                    meeting = scheduling.meeting_update(meeting=meeting, by=request.user, **data)
                if start is not None:
                    meeting = scheduling.meeting_reschedule(meeting=meeting, start=start, end=end, by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error  # DRF's handler rolls the whole request back
        return self._render(meeting)

    def _series_update(self, meeting, *, scope: str, host_site, start, end, data: dict):
        """`scope` given: the series edit; the time of day and length from `start`/`end`, each occurrence on its
        own day. For "one", a new date as well moves this occurrence after the edit."""
        times: dict = {}
        move_to_date = False
        if start is not None:
            local_start, own_day = start.astimezone(BANGKOK), meeting.start.astimezone(BANGKOK).date()
            if local_start.date() != own_day:
                if scope != "one":
                    raise DjangoValidationError({"start": [_(
                        "แก้ไขหลายครั้งในชุดได้เฉพาะเวลาของวันและความยาว: ส่ง start ในวันที่ของการประชุมครั้งนี้ "
                        "(%(day)s) หรือใช้ scope “one” เพื่อเลื่อนเฉพาะครั้งนี้ไปวันอื่น"
                    ) % {"day": own_day.isoformat()}]})
                move_to_date = True
            else:
                times = {"start_time": local_start.time().replace(tzinfo=None), "duration": end - start}
        with transaction.atomic():
            scheduling.series_update(meeting=meeting, scope=scope, host_site=host_site, by=self.request.user,
                                     **times, **data)
            if move_to_date:
                meeting.refresh_from_db()
                scheduling.meeting_reschedule(meeting=meeting, start=start, end=end, by=self.request.user)
        return meeting

    @extend_schema(request=None, responses={200: MeetingSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        try:
            meeting = scheduling.meeting_cancel(meeting=meeting, by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self._render(meeting)
