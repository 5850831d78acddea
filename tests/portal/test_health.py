import pytest

from tests.services.ports import free_port


@pytest.mark.integration
def test_healthy_database_answers_200(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.integration
def test_reachable_broker_is_reported(client, db, settings):
    import os

    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from portal.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is True


@pytest.mark.integration
def test_unreachable_broker_answers_503(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from portal.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.integration
def test_clock_in_step_with_the_database_has_no_warning(client, db):
    body = client.get("/healthz").json()
    clock = body["checks"]["clock"]
    assert clock["ok"] is True
    assert abs(clock["offset_ms"]) < 1000  # the same machine: the same clock
    assert "warning" not in clock
    assert body["warnings"] == []


@pytest.mark.integration
def test_a_drifting_clock_warns_and_stays_healthy(client, db, monkeypatch):
    import time

    from portal import health

    monkeypatch.setattr(health, "app_clock", lambda: time.time() - 5)  # this web server 5 s behind
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    clock = body["checks"]["clock"]
    assert 4500 < clock["offset_ms"] < 5500
    assert "5.0 s behind" in clock["warning"]
    assert body["warnings"] == [f"clock: {clock['warning']}"]
    monkeypatch.setattr(health, "app_clock", lambda: time.time() + 3)  # ahead
    assert "3.0 s ahead of" in health.check_clock()["warning"]


@pytest.mark.integration
def test_the_warning_threshold_is_a_setting(db, settings):
    import time

    from portal.health import check_clock

    settings.PRACHUM_CLOCK_DRIFT_WARN_SECONDS = 0.2
    assert "warning" in check_clock(clock=lambda: time.time() + 0.5)
    settings.PRACHUM_CLOCK_DRIFT_WARN_SECONDS = 1.0
    assert "warning" not in check_clock(clock=lambda: time.time() + 0.5)
