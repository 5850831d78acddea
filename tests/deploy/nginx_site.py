"""The nginx site files of deploy/nginx/, rendered for this machine: free loopback ports, paths in a tmp directory.

Only what differs between a Debian server and this test changes (ports, certificate paths, the static and media
directories, where the locations file is); each replacement must match exactly once, so the files cannot drift
from what these tests check without the tests noticing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .processes import ROOT

NGINX_DIR = ROOT / "deploy" / "nginx"
LOCATIONS_INCLUDE = "include /opt/prachum/deploy/nginx/prachum-locations.conf;"
HTTP_INCLUDE = "include /opt/prachum/deploy/nginx/prachum-http.conf;"
ACCESS_LOG = "access_log /var/log/nginx/access.log prachum;"


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def replace_once(text: str, old: str, new: str, name: str) -> str:
    count = text.count(old)
    assert count == 1, f"deploy/nginx/{name}: expected {old!r} once, found it {count} times"
    return text.replace(old, new)


def access_log_of(locations: Path) -> Path:
    """Where the rendered site writes prachum's access log: beside its locations file."""
    return locations.parent / "prachum-access.log"


def render_locations(*, static_root: Path, media_root: Path, access_log: Path) -> str:
    name = "prachum-locations.conf"
    text = (NGINX_DIR / name).read_text()
    text = replace_once(text, "alias /opt/prachum/var/static/;", f"alias {static_root}/;", name)
    text = replace_once(text, ACCESS_LOG, f"access_log {access_log} prachum;", name)
    return replace_once(text, "alias /var/lib/prachum/media/;", f"alias {media_root}/;", name)


def render_debian_site(
    *, locations: Path, web_port: int, janus_port: int, http_port: int, https_port: int, cert: Path, key: Path
) -> str:
    name = "prachum.conf"
    text = (NGINX_DIR / name).read_text()
    for old, new in (
        ("server 127.0.0.1:8001;", f"server 127.0.0.1:{web_port};"),
        ("server 127.0.0.1:8088;", f"server 127.0.0.1:{janus_port};"),
        ("\tlisten 80;\n", f"\tlisten 127.0.0.1:{http_port};\n"),
        ("\tlisten [::]:80;\n", ""),
        ("\tlisten 443 ssl http2;\n", f"\tlisten 127.0.0.1:{https_port} ssl http2;\n"),
        ("\tlisten [::]:443 ssl http2;\n", ""),
        ("/etc/ssl/prachum/fullchain.pem", str(cert)),
        ("/etc/ssl/prachum/privkey.pem", str(key)),
        (LOCATIONS_INCLUDE, f"include {locations};"),
        (HTTP_INCLUDE, f"include {locations.parent / 'prachum-http.conf'};"),
        (ACCESS_LOG, f"access_log {access_log_of(locations)} prachum;"),
    ):
        text = replace_once(text, old, new, name)
    return text


def render_compose_site(*, locations: Path, cert: Path, key: Path, http_port: int, https_port: int) -> str:
    """compose.conf with the compose service names pointed at the loopback (nginx resolves them when it loads)."""
    name = "compose.conf"
    text = (NGINX_DIR / name).read_text()
    for old, new in (
        ("server web:8001;", "server 127.0.0.1:8001;"),
        ("server janus:8088;", "server 127.0.0.1:8088;"),
        ("\tlisten 80;\n", f"\tlisten 127.0.0.1:{http_port};\n"),
        ("\tlisten 443 ssl http2;\n", f"\tlisten 127.0.0.1:{https_port} ssl http2;\n"),
        ("/etc/nginx/tls/fullchain.pem", str(cert)),
        ("/etc/nginx/tls/privkey.pem", str(key)),
        (LOCATIONS_INCLUDE, f"include {locations};"),
        (HTTP_INCLUDE, f"include {locations.parent / 'prachum-http.conf'};"),
        (ACCESS_LOG, f"access_log {access_log_of(locations)} prachum;"),
    ):
        text = replace_once(text, old, new, name)
    return text


def main_conf(*, workdir: Path, site: Path) -> str:
    """A whole nginx.conf around a site, as Debian's /etc/nginx/nginx.conf includes sites-enabled, all in workdir."""
    # As root, nginx's workers would run as `nobody`, who cannot enter pytest's private tmp directories.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"\t{kind}_temp_path {workdir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{
	worker_connections 128;
}}
http {{
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log {workdir / "access.log"};
{temp}
	include {site};
}}
"""


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_command(conf: Path, workdir: Path, *extra: str) -> list[str]:
    return [nginx_binary(), "-p", str(workdir), "-c", str(conf), "-e", str(workdir / "error.log"), *extra]


def write_nginx(workdir: Path, *, site_text: str, locations_text: str) -> Path:
    """Writes locations, site and nginx.conf into workdir; returns the path of nginx.conf."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "prachum-locations.conf").write_text(locations_text)
    shutil.copyfile(NGINX_DIR / "prachum-http.conf", workdir / "prachum-http.conf")
    (workdir / "site.conf").write_text(site_text)
    conf = workdir / "nginx.conf"
    conf.write_text(main_conf(workdir=workdir, site=workdir / "site.conf"))
    return conf
