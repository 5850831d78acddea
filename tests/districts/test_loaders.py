"""Loading the national geography and a province's sites: exact counts, idempotent, clear errors."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from districts.models import District, Province, Site
from districts.services import geography_load, province_sites_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL


def test_national_geography_is_loaded():
    assert Province.objects.count() == 77
    assert District.objects.count() == 928
    assert District.objects.exclude(province__code="10").count() == 878
    assert District.objects.filter(province__code="10").count() == 50


def test_udon_thani_has_its_hall_and_20_district_offices():
    sites = Site.objects.filter(province__code="41")
    assert sites.count() == 21
    assert sites.filter(kind=Site.Kind.PROVINCIAL_HALL).count() == 1
    codes = sorted(sites.exclude(district=None).values_list("district__code", flat=True))
    assert codes == [f"41{n:02d}" for n in [*range(1, 12), *range(17, 26)]]
    assert not District.objects.filter(code__in=["4112", "4113", "4114", "4115", "4116"]).exists()


def test_road_distances_are_estimated_and_na_yung_is_130_km():
    assert District.objects.get(code="4122").road_distance_km == Decimal(130)
    assert District.objects.get(code="4102").road_distance_km == Decimal(35)  # 23 km straight x 1.5, rounded
    assert not District.objects.filter(province__code="41", road_distance_km=None).exists()


def test_loading_twice_changes_nothing():
    provinces, districts = geography_load()
    assert (provinces.created, provinces.updated, provinces.unchanged) == (0, 0, 77)
    assert (districts.created, districts.updated, districts.unchanged) == (0, 0, 928)
    result = province_sites_create(province_code="41")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 21)
    assert Site.objects.count() == 21


def test_an_edited_road_distance_is_never_overwritten():
    District.objects.filter(code="4122").update(road_distance_km=Decimal("137.5"))
    province_sites_create(province_code="41")
    assert District.objects.get(code="4122").road_distance_km == Decimal("137.5")


def test_a_loader_repairs_a_changed_name():
    District.objects.filter(code="4106").update(name_en="Nong Harn")
    _, districts = geography_load()
    assert districts.updated == 1
    assert District.objects.get(code="4106").name_en == "Nong Han"


def test_another_province_gets_its_sites_from_its_code():
    result = province_sites_create(province_code="39")  # Nong Bua Lam Phu
    assert result.created == 1 + District.objects.filter(province__code="39").count()
    assert Site.objects.filter(province__code="39", kind=Site.Kind.PROVINCIAL_HALL).count() == 1


def test_unknown_province_code_is_refused_clearly_and_writes_nothing():
    before = Site.objects.count()
    with pytest.raises(CommandError, match="ไม่พบจังหวัดรหัส “99”"):
        call_command("create_province_sites", "99")
    assert Site.objects.count() == before


def test_commands_print_what_they_did(capsys):
    call_command("load_geography")
    call_command("create_province_sites", "41")
    out = capsys.readouterr().out
    assert "provinces: 0 created, 0 updated, 77 unchanged" in out
    assert "sites: 0 created, 21 unchanged" in out
