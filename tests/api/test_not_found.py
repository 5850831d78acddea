"""A URL under /api/ that no route matches answers JSON, as the schema documents every 404; pages keep the 404 page."""

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_an_api_url_no_route_matches_is_a_json_404(login):
    client = login("scheduler", "41")
    response = client.get("/api/meetings/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_a_page_url_no_route_matches_is_the_404_page(login):
    response = login("scheduler", "41").get("/meetings/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
