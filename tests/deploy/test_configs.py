"""deploy/'s files, checked by the tools that will read them: bash, gunicorn, nginx, systemd, YAML; and kept in step
with each other (every variable documented, every referenced script present, no internal port published)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .nginx_site import (
    access_log_of,
    nginx_command,
    render_compose_site,
    render_debian_site,
    render_locations,
    self_signed_certificate,
    write_nginx,
)
from .processes import ROOT

pytestmark = pytest.mark.integration

DEPLOY = ROOT / "deploy"
START_SCRIPTS = ("web", "worker", "beat", "migrate", "janus")
UNITS = ("prachum-web.service", "prachum-worker.service", "prachum-beat.service", "prachum-janus.service")
SERVICES = {"postgres", "redis", "janus", "web", "worker", "beat", "nginx"}
STRICT_MODE = "set -o errexit -o pipefail -o nounset"


def on_this_machine(path: str) -> Path:
    """A path of an installed server (/opt/prachum/...) as it is in this checkout."""
    return ROOT / Path(path).relative_to("/opt/prachum")


# --- start scripts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", START_SCRIPTS)
def test_start_script_is_strict_bash_that_ends_in_exec(name):
    script = DEPLOY / "start" / name
    assert os.access(script, os.X_OK), f"{script} is not executable"
    lines = script.read_text().splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    code = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert code[0] == STRICT_MODE, "strict mode must come before any command"
    assert code[-1].startswith("exec "), f"the last command must exec the server, not {code[-1]!r}"
    checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr


def test_janus_start_script_refuses_missing_or_unsafe_secrets(tmp_path):
    script = str(DEPLOY / "start" / "janus")
    env = {"PATH": os.environ["PATH"], "JANUS_CONFIG_DIR": str(tmp_path / "conf"), "JANUS_MAIN_ADMIN_KEY": "k"}
    missing = subprocess.run([script], env=env, capture_output=True, text=True, check=False, timeout=10)
    assert missing.returncode != 0
    assert "JANUS_MAIN_ADMIN_SECRET is required" in missing.stderr
    unsafe = subprocess.run(
        [script], env={**env, "JANUS_MAIN_ADMIN_SECRET": 'a"b'}, capture_output=True, text=True, check=False, timeout=10
    )
    assert unsafe.returncode != 0
    assert "unsupported character" in unsafe.stderr
    assert not (tmp_path / "conf").exists(), "nothing may be written when a value is refused"


def test_janus_start_script_stops_when_the_templates_drift(tmp_path):
    templates = tmp_path / "janus"
    shutil.copytree(DEPLOY / "janus", templates)
    http = templates / "janus.transport.http.jcfg"
    http.write_text(http.read_text().replace("port = 8088", "port = 8089"))
    env = {
        "PATH": os.environ["PATH"],
        "JANUS_TEMPLATE_DIR": str(templates),
        "JANUS_CONFIG_DIR": str(tmp_path / "conf"),
        "JANUS_MAIN_ADMIN_SECRET": "s",
        "JANUS_MAIN_ADMIN_KEY": "k",
    }
    result = subprocess.run(
        [str(DEPLOY / "start" / "janus")], env=env, capture_output=True, text=True, check=False, timeout=10
    )
    assert result.returncode != 0
    assert "expected exactly one" in result.stderr
    assert "janus.transport.http.jcfg" in result.stderr


# --- gunicorn ---------------------------------------------------------------------------------------------------


def gunicorn(production_env, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--config",
            str(DEPLOY / "gunicorn.conf.py"),
            *args,
            "portal.wsgi:application",
        ],
        cwd=ROOT,
        env={**production_env, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def printed_config(output: str) -> dict[str, str]:
    return dict(re.findall(r"^(\w+)\s*= (.*)$", output, re.MULTILINE))


def test_gunicorn_config_loads_the_application_with_production_settings(production_env):
    checked = gunicorn(production_env, "--check-config")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    config = printed_config(gunicorn(production_env, "--print-config").stdout)
    assert config["bind"] == "['127.0.0.1:8001']"
    assert int(config["workers"]) == 2 * len(os.sched_getaffinity(0)) + 1
    assert config["forwarded_allow_ips"] == "['127.0.0.1']"
    assert config["accesslog"] == "-"
    assert config["errorlog"] == "-"
    assert int(config["timeout"]) == 60
    assert (int(config["max_requests"]), int(config["max_requests_jitter"])) == (20_000, 2_000)
    assert "JsonAccessLogger" in config["logger_class"]


def test_gunicorn_config_takes_its_values_from_the_environment(production_env):
    output = gunicorn(
        production_env,
        "--print-config",
        GUNICORN_BIND="0.0.0.0:9000",
        GUNICORN_WORKERS="3",
        GUNICORN_TIMEOUT="45",
        GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.5,10.0.0.6",
        GUNICORN_MAX_REQUESTS="0",
    ).stdout
    config = printed_config(output)
    assert config["bind"] == "['0.0.0.0:9000']"
    assert config["workers"] == "3"
    assert config["timeout"] == "45"
    assert config["forwarded_allow_ips"] == "['10.0.0.5', '10.0.0.6']"
    assert config["max_requests"] == "0"  # never replaced
    # An empty value (as in deploy/env.production.example) means the default, not a crash.
    assert printed_config(gunicorn(production_env, "--print-config", GUNICORN_WORKERS="").stdout)["workers"] == str(
        2 * len(os.sched_getaffinity(0)) + 1
    )


# --- nginx ------------------------------------------------------------------------------------------------------


def test_locations_accept_the_document_limit_and_forward_what_django_needs():
    text = (DEPLOY / "nginx" / "prachum-locations.conf").read_text()
    assert re.search(r"^client_max_body_size 201m;", text, re.MULTILINE)
    for header in (
        "X-Forwarded-Proto $scheme",
        "X-Forwarded-For $proxy_add_x_forwarded_for",
        "Host $http_host",
        "X-Forwarded-Host $http_host",
    ):
        assert f"proxy_set_header {header};" in text
    assert "location /janus {" in text
    assert ":7088" not in text, "the Janus Admin API is never proxied"


@pytest.mark.parametrize("site", ["prachum.conf", "compose.conf"])
def test_nginx_accepts_the_site(site, tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    workdir = tmp_path / "nginx"
    locations = workdir / "prachum-locations.conf"
    if site == "prachum.conf":
        site_text = render_debian_site(
            locations=locations, web_port=8001, janus_port=8088, http_port=8080, https_port=8443, cert=cert, key=key
        )
    else:
        site_text = render_compose_site(locations=locations, cert=cert, key=key, http_port=8080, https_port=8443)
    conf = write_nginx(
        workdir,
        site_text=site_text,
        locations_text=render_locations(
            static_root=tmp_path / "static", media_root=tmp_path / "media", access_log=access_log_of(locations)
        ),
    )
    result = subprocess.run(nginx_command(conf, workdir, "-t"), capture_output=True, text=True, check=False, timeout=20)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "[warn]" not in result.stderr.replace('the "user" directive makes sense only', "")


# --- systemd ----------------------------------------------------------------------------------------------------


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None, empty_lines_in_values=False)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string(path.read_text())
    return unit


@pytest.mark.parametrize("name", UNITS)
def test_systemd_unit_runs_a_start_script_as_prachum_with_hardening(name):
    unit = read_unit(DEPLOY / "systemd" / name)
    service = unit["Service"]
    assert service["User"] == "prachum"
    assert service["EnvironmentFile"] == "/etc/prachum/env"
    assert service["WorkingDirectory"] == "/opt/prachum"
    assert service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "true"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "true"
    script = on_this_machine(service["ExecStart"])
    assert script.parent == DEPLOY / "start"
    assert os.access(script, os.X_OK)
    if name == "prachum-janus.service":
        assert service["RuntimeDirectory"] == "prachum-janus"
        assert "janus.service" in unit["Unit"]["Conflicts"]
    else:
        assert "/var/lib/prachum" in service["ReadWritePaths"].split()
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text().replace("/opt/prachum", str(ROOT))
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    # systemd-analyze exits 0 on unknown keys and bad values, and only says so: any word about our units fails.
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if "prachum" in line]
    assert result.returncode == 0, result.stderr
    assert not complaints, "\n".join(complaints)


# --- docker compose and the Dockerfile ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_compose_has_the_production_shape_with_healthchecks(compose):
    services = compose["services"]
    assert set(services) >= SERVICES
    for name in SERVICES:
        assert services[name]["healthcheck"]["test"], f"{name} has no healthcheck"
        assert services[name].get("restart") == "unless-stopped", name
    for name in ("web", "worker", "beat", "migrate"):
        service = services[name]
        assert service["env_file"] == ".env", name
        assert on_this_machine(service["command"][0]) == DEPLOY / "start" / name
        assert "media:/var/lib/prachum/media" in service["volumes"], name
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "media:/var/lib/prachum/media:ro" in services["nginx"]["volumes"]
    assert set(compose["volumes"]) >= {"pgdata", "media"}
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_compose_builds_from_this_dockerfile_and_mounts_the_janus_config(compose):
    stages = set(re.findall(r"^FROM \S+ AS (\w+)$", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE))
    for name, service in compose["services"].items():
        if "build" in service:
            assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).resolve() == (
                DEPLOY / "Dockerfile"
            ), name
            assert service["build"]["target"] in stages, name
    source, target = compose["services"]["janus"]["volumes"][0].split(":")[:2]
    assert (DEPLOY / source).resolve() == DEPLOY / "janus"
    assert target == "/opt/prachum/deploy/janus"
    assert any(path.name.endswith(".jcfg") for path in (DEPLOY / "janus").iterdir())


def test_compose_publishes_only_nginx_and_media_ports(compose):
    published = {
        name: [str(port) for port in service.get("ports", [])] for name, service in compose["services"].items()
    }
    assert published["nginx"] == ["80:80", "443:443"]
    assert all(port.endswith("/udp") for port in published["janus"])
    assert not any(published[name] for name in published if name not in {"nginx", "janus"}), published


def test_dockerfile_builds_a_non_root_image_with_the_runtime_libraries():
    text = (DEPLOY / "Dockerfile").read_text()
    app = text.split("FROM python:3.11-slim-bookworm AS app", 1)[1].split("\nFROM ", 1)[0]
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-tlwg-laksaman"):
        assert package in app
    assert "RUN pip install ." in app
    assert "manage.py collectstatic --noinput" in app
    assert re.search(r"^USER prachum$", app, re.MULTILINE)
    assert 'CMD ["/opt/prachum/deploy/start/web"]' in app
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, re.MULTILINE):
        assert (ROOT / source).exists(), f"COPY {source}: no such path"
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    for secret_or_bulk in (".env", "**/.env", ".venv", ".git", "var"):
        assert secret_or_bulk in ignored


# --- the production environment example ------------------------------------------------------------------------------


def example_variables(path: Path) -> dict[str, str]:
    variables = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=([^\"']*)", line)
        assert match, f"{path.name}: not a plain KEY=value line (systemd and compose both read it): {line!r}"
        variables[match.group(1)] = match.group(2)
    return variables


def test_env_example_documents_every_variable_production_reads():
    documented = example_variables(DEPLOY / "env.production.example")
    read_by_settings = set()
    for path in (ROOT / "portal" / "settings").glob("*.py"):
        read_by_settings |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    read_by_gunicorn = set(
        re.findall(r"os\.environ\.get\(\"(GUNICORN_\w+)\"", (DEPLOY / "gunicorn.conf.py").read_text())
    )
    read_by_scripts = set()
    for name in START_SCRIPTS:
        read_by_scripts |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):[-?]", (DEPLOY / "start" / name).read_text()))
    # Set by systemd or compose for a process, or only for tests and other machines: documented in the scripts.
    per_process = {
        "RUNTIME_DIRECTORY",
        "JANUS_CONFIG_DIR",
        "JANUS_TEMPLATE_DIR",
        "JANUS_HTTP_IP",
        "JANUS_HTTP_PORT",
        "JANUS_ADMIN_IP",
        "JANUS_ADMIN_PORT",
        "GUNICORN_LOG_LEVEL",
    }
    root_example = set(example_variables(ROOT / ".env.example"))
    missing = (read_by_settings | read_by_gunicorn | read_by_scripts | root_example) - per_process - set(documented)
    assert not missing, f"deploy/env.production.example does not document {sorted(missing)}"
    assert documented["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert documented["DJANGO_SECRET_KEY"] == "", "no secret in an example"


def test_compose_interpolates_only_documented_variables(compose):
    documented = set(example_variables(DEPLOY / "env.production.example"))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (DEPLOY / "docker-compose.yml").read_text()))
    assert used <= documented, sorted(used - documented)
