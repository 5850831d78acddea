from rest_framework import serializers

from .models import Charge
from .periods import month_label


class ChargeSerializer(serializers.ModelSerializer):
    district_code = serializers.CharField(source="line.site.district.code", read_only=True)
    district_name = serializers.CharField(source="line.site.district.name_th", read_only=True)
    site_name = serializers.CharField(source="line.site.name", read_only=True)
    circuit_id = serializers.CharField(source="line.circuit_id", read_only=True)
    month_label = serializers.SerializerMethodField()
    locked = serializers.BooleanField(source="is_locked", read_only=True)

    class Meta:
        model = Charge
        fields = [
            "id", "district_code", "district_name", "site_name", "circuit_id", "month", "month_label", "kind",
            "adjusts", "reason", "fee", "vat_rate", "vat", "total", "status", "invoice_number", "paid_on", "locked",
        ]  # fmt: skip
        read_only_fields = fields

    def get_month_label(self, charge: Charge) -> str:
        return month_label(charge.month)


class MarkPaidSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=50)
    paid_on = serializers.CharField(help_text="วันที่ชำระ: 2019-02-05, 05/02/2562 หรือ 5 ก.พ. 2562")


class MarkPaidForMonthSerializer(MarkPaidSerializer):
    district_code = serializers.RegexField(r"^\d{4}$", help_text="รหัสอำเภอ 4 หลัก เช่น 4122")
    month = serializers.CharField(help_text="เดือน: 2562-01 (พ.ศ.) หรือ 2019-01 (ค.ศ.)")


class CloseMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="เดือนที่จะปิดงวด: 2562-01 (พ.ศ.) หรือ 2019-01 (ค.ศ.)")
    confirm = serializers.BooleanField(
        required=False, default=False, help_text="true: ยืนยันการปิดงวด (ยอดของเดือนถูกล็อกถาวร)"
    )


class MonthClosingSerializer(serializers.Serializer):
    month = serializers.DateField(read_only=True)
    month_label = serializers.SerializerMethodField()
    locked = serializers.IntegerField(read_only=True, help_text="รายการที่ล็อกยอดตอนนี้")
    already = serializers.IntegerField(read_only=True, help_text="รายการที่ล็อกไว้ก่อนแล้ว (ชำระแล้ว หรือปิดงวดไปแล้ว)")

    def get_month_label(self, closing) -> str:
        return month_label(closing.month)
