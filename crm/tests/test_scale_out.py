"""Several app servers: two gunicorn instances on loopback ports behind nginx (Debian's
package), sharing one PostgreSQL and one media folder, plus a task worker process. A
user signs in through one server and keeps working through the other; an import
uploaded through one runs in the worker while the other serves and reports its
progress: nothing the CRM needs is kept inside a process.

nginx comes from apt (`make test` installs it when missing, like Chromium); without it
the test is skipped, unless SCALE_TESTS=required (CI)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from crm.models import User
from crm.tests.helpers import database_url, process_env
from people.models import ImportJob, Person

pytestmark = pytest.mark.django_db(transaction=True)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "Scale-out-2026"
CSV = "Nombre;Apellido;Correo\n" + "".join(f"Ana{n};Quispe;ana{n}@example.pe\n" for n in range(300))


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args[0]} stopped"
        try:
            # A fresh server's first answer waits for its imports and database connection.
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream crm {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 20m;
        location / {{
            proxy_pass http://crm;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@pytest.fixture
def servers(tmp_path):
    if not Path(NGINX).exists():
        if os.environ.get("SCALE_TESTS") == "required":
            pytest.fail("nginx is required for the scale-out test (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    media = tmp_path / "media"
    media.mkdir()
    env = process_env(
        DATABASE_URL=database_url(),
        SECRET_KEY="scale-out-test-key-shared-by-every-server-0123456789",
        MEDIA_ROOT=str(media),
        DEBUG="0",
        STATIC_MANIFEST="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONWARNINGS="ignore",
        LOG_LEVEL="WARNING",
    )
    ports = {"a": _port(), "b": _port(), "nginx": _port()}
    bin_dir = Path(sys.executable).parent
    processes = []
    try:
        quiet = {
            "cwd": settings.BASE_DIR,
            "env": env,
            "stdout": subprocess.DEVNULL,
            "stderr": subprocess.DEVNULL,
        }
        for name in ("a", "b"):
            server = [str(bin_dir / "gunicorn"), "crm.wsgi:application", "-c", "gunicorn.conf.py"]
            server += ["--bind", f"127.0.0.1:{ports[name]}", "--workers", "1"]
            processes.append(subprocess.Popen(server, **quiet))
        worker = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--worker-id", "machine-c"]
        processes.append(subprocess.Popen(worker, **quiet))
        folder = tmp_path / "nginx"
        folder.mkdir()
        conf = folder / "nginx.conf"
        user = "user root root;" if os.geteuid() == 0 else ""
        conf.write_text(
            NGINX_CONF.format(user=user, folder=folder, a=ports["a"], b=ports["b"], port=ports["nginx"])
        )
        processes.append(
            subprocess.Popen(
                [NGINX, "-c", str(conf), "-p", str(folder)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name, process in zip(("a", "b"), processes, strict=False):
            _wait(urls[name] + "/healthz", process)
        _wait(urls["nginx"] + "/healthz", processes[-1])
        yield urls
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


def test_two_app_servers_behind_nginx_share_everything(servers):
    user = User.objects.create(username="carla", name="Carla Vendedora", role=User.Role.AGENT)
    User.objects.filter(pk=user.pk).update(password=PBKDF2PasswordHasher().encode(PASSWORD, "scaleoutsalt"))
    a, b, proxy = servers["a"], servers["b"], servers["nginx"]
    browser = requests.Session()

    # Signs in through server A ...
    login = browser.get(f"{a}/accounts/login/")
    signed_in = browser.post(
        f"{a}/accounts/login/",
        {"username": "carla", "password": PASSWORD, "csrfmiddlewaretoken": _token(login)},
        headers={"Referer": f"{a}/accounts/login/"},
    )
    assert signed_in.url.rstrip("/") == a
    # ... and keeps working through server B: the session lives in the database.
    people = browser.get(f"{b}/people/")
    assert people.status_code == 200
    assert "Carla Vendedora" in people.text

    # An upload through A; its columns and preview through B; the worker (a third
    # process) runs it from the shared media folder while B serves and reports progress.
    page = browser.get(f"{a}/people/import/")
    uploaded = browser.post(
        f"{a}/people/import/",
        data={"csrfmiddlewaretoken": _token(page), "stage": "prospect", "country": "PE"},
        files={"file": ("feria.csv", CSV.encode(), "text/csv")},
    )
    job = ImportJob.objects.get()
    assert uploaded.url.endswith(f"/people/imports/{job.pk}/")
    detail = browser.get(f"{b}/people/imports/{job.pk}/")
    columns = {f"col_{i}": field for i, field in enumerate(job.mapping)}
    browser.post(f"{b}/people/imports/{job.pk}/preview/", {**columns, "csrfmiddlewaretoken": _token(detail)})
    _until(lambda: ImportJob.objects.get().status == ImportJob.Status.PREVIEWED)
    detail = browser.get(f"{b}/people/imports/{job.pk}/")
    browser.post(f"{b}/people/imports/{job.pk}/confirm/", {"csrfmiddlewaretoken": _token(detail)})
    seen = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = browser.get(f"{a}/people/imports/{job.pk}/", headers={"HX-Request": "true"})
        assert browser.get(f"{b}/reminders/").status_code == 200  # the other server keeps serving
        seen.add("done" if "alert-success" in status.text else "running")
        if "alert-success" in status.text:
            break
        time.sleep(0.2)
    assert "done" in seen
    assert Person.objects.filter(email__endswith="@example.pe").count() == 300

    # Through nginx, requests go to both servers, the session valid on each.
    upstreams = set()
    for _ in range(8):
        response = browser.get(f"{proxy}/people/?q=quispe")
        assert response.status_code == 200
        assert "Carla Vendedora" in response.text
        upstreams.add(response.headers["X-Upstream"])
    assert len(upstreams) == 2


def _until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")
