"""/api/charges/ and /api/reports/<exporter>/: the same permissions and scope as the finance pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from districts.access import HasRole
from foundation.api_errors import BAD_REQUEST, FORBIDDEN, LIST_NOT_FOUND, NOT_FOUND
from foundation.thaidate import parse_thai_date

from .exporters import CONTENT_TYPES, EXPORTERS, FORMATS
from .models import Charge
from .periods import fiscal_year_months, parse_fiscal_year, parse_month
from .scope import BillingScope
from .selectors import charge_list
from .serializers import (
    ChargeSerializer,
    CloseMonthSerializer,
    MarkPaidForMonthSerializer,
    MarkPaidSerializer,
    MonthClosingSerializer,
)
from .services import charge_mark_paid, charge_mark_paid_for_month, export_request, month_close
from .views import FINANCE_ROLES


def _errors(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}


def _paid_on(value: str):
    try:
        return parse_thai_date(value)
    except ValueError as error:
        raise ValidationError({"paid_on": str(error)}) from None


@extend_schema_view(
    # The filters belong to the list only: a charge named by its id is found whatever month or status it has.
    list=extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="เดือน เช่น 2562-01 (พ.ศ.) หรือ 2019-01"),
            OpenApiParameter("fy", int, description="ปีงบประมาณ (พ.ศ.) เช่น 2562"),
            OpenApiParameter("district", str, description="รหัสอำเภอ 4 หลัก"),
            OpenApiParameter("status", str, enum=Charge.Status.values),
        ],
        responses={200: ChargeSerializer(many=True), 400: BAD_REQUEST, 403: FORBIDDEN, 404: LIST_NOT_FOUND},
    ),
    retrieve=extend_schema(responses={200: ChargeSerializer, 403: FORBIDDEN, 404: NOT_FOUND}),
)
class ChargeViewSet(viewsets.ReadOnlyModelViewSet):
    """Charges in the caller's scope (the province at the hall, the own district at a district office)."""

    serializer_class = ChargeSerializer
    permission_classes = [HasRole]
    allowed_roles = FINANCE_ROLES

    @property
    def scope(self) -> BillingScope:
        return BillingScope.for_user(self.request.user)

    def _months(self):
        query = self.request.query_params
        errors = {}
        months = None
        if query.get("month"):
            try:
                months = [parse_month(query["month"])]
            except ValidationError as error:
                errors["month"] = error.messages
        if query.get("fy"):
            try:
                fy_months = fiscal_year_months(parse_fiscal_year(query["fy"]))
                months = [m for m in fy_months if months is None or m in months]
            except ValidationError as error:
                errors["fy"] = error.messages
        status_value = query.get("status")
        if status_value and status_value not in Charge.Status.values:
            errors["status"] = [f"สถานะ “{status_value}” ไม่ถูกต้อง: ใช้ {' หรือ '.join(Charge.Status.values)}"]
        if errors:
            raise ValidationError(errors)
        return months

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no scope
            return Charge.objects.none()
        if self.action != "list":
            return charge_list(scope=self.scope, months=None)
        query = self.request.query_params
        return charge_list(
            scope=self.scope,
            months=self._months(),
            district_code=query.get("district") or None,
            status=query.get("status") or None,
        )

    def list(self, request, *args, **kwargs):
        try:
            return super().list(request, *args, **kwargs)
        except ValidationError as error:
            return Response(_errors(error), status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(
        request=MarkPaidSerializer,
        responses={200: ChargeSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None):
        charge = self.get_object()
        data = MarkPaidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            charge = charge_mark_paid(
                charge=charge,
                invoice_number=data.validated_data["invoice_number"],
                paid_on=_paid_on(data.validated_data["paid_on"]),
            )
        except ValidationError as error:
            return Response(_errors(error), status=status.HTTP_400_BAD_REQUEST)
        return Response(ChargeSerializer(charge_list(scope=self.scope, months=None).get(pk=charge.pk)).data)

    @extend_schema(
        request=MarkPaidForMonthSerializer,
        responses={200: ChargeSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
        operation_id="charges_mark_paid_for_month",
    )
    @action(detail=False, methods=["post"], url_path="mark-paid")
    def mark_paid_for_month(self, request):
        data = MarkPaidForMonthSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            charge = charge_mark_paid_for_month(
                scope=self.scope,
                district_code=data.validated_data["district_code"],
                month=parse_month(data.validated_data["month"]),
                invoice_number=data.validated_data["invoice_number"],
                paid_on=_paid_on(data.validated_data["paid_on"]),
            )
        except ValidationError as error:
            return Response(_errors(error), status=status.HTTP_400_BAD_REQUEST)
        return Response(ChargeSerializer(charge_list(scope=self.scope, months=None).get(pk=charge.pk)).data)

    @extend_schema(
        request=CloseMonthSerializer,
        responses={200: MonthClosingSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
        operation_id="charges_close_month",
    )
    @action(detail=False, methods=["post"], url_path="close-month")
    def close_month(self, request):
        """Close a month in the caller's scope: its charges are locked for good (downloads never lock)."""
        data = CloseMonthSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("confirm") is not True:
            return Response(
                {"confirm": ["ส่ง confirm=true เพื่อยืนยันการปิดงวด: ยอดของเดือนจะถูกล็อกถาวร แก้ได้ด้วยรายการปรับปรุงเท่านั้น"]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            month = parse_month(data.validated_data["month"])
        except ValidationError as error:
            return Response({"month": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        try:
            closing = month_close(user=request.user, month=month, scope=self.scope)
        except ValidationError as error:
            return Response(_errors(error), status=status.HTTP_400_BAD_REQUEST)
        return Response(MonthClosingSerializer(closing).data)


class JSONForErrors(DefaultContentNegotiation):
    """`?format=csv` names the report's file format here, not a DRF renderer: errors are always JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type


class ReportView(APIView):
    """A report file: `/api/reports/monthly/?format=pdf&month=2562-01`, `fiscal_year` and `travel_savings` take `fy`.

    Reading only: a report never locks its month (closing is `POST /api/charges/close-month/`)."""

    permission_classes = [HasRole]
    allowed_roles = FINANCE_ROLES
    content_negotiation_class = JSONForErrors

    @extend_schema(
        parameters=[
            OpenApiParameter("exporter", str, OpenApiParameter.PATH, enum=list(EXPORTERS)),
            OpenApiParameter("format", str, enum=list(FORMATS), required=True),
            OpenApiParameter("month", str, description="monthly: เดือน เช่น 2562-01"),
            OpenApiParameter("fy", int, description="fiscal_year, travel_savings: ปีงบประมาณ (พ.ศ.)"),
        ],
        responses={
            # The file in the format asked for (`format`), or the JSON of what was wrong with the query.
            **{(200, content_type.split(";")[0]): OpenApiTypes.BINARY for content_type in CONTENT_TYPES.values()},
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,  # a report name that is not a slug matches no route
        },
    )
    def get(self, request, exporter: str):
        try:
            outcome = export_request(
                user=request.user,
                exporter_id=exporter,
                file_format=request.query_params.get("format", ""),
                query=request.query_params,
                scope=BillingScope.for_user(request.user),
                background=False,
            )
        except ValidationError as error:
            return Response(_errors(error), status=status.HTTP_400_BAD_REQUEST)
        response = HttpResponse(outcome.content, content_type=outcome.content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=outcome.filename)
        return response
