"""Simulated sales agents for the load test (bench/load.py): each starts signed in
(a session made for it), then browses lists, pages, boards, calendar weeks and notifications,
searches, opens the email composer and saves work, pausing 1 to 3 s between requests as a
person would. Alongside them, API scripts with tokens list people and write activities and
changes as fast as their rate limit lets them. What to visit comes from the JSON file named
by BENCH_PLAN (written by bench/load.py).

The users are locust's FastHttpUser (geventhttpclient): the load generator shares the two
cores with the server and PostgreSQL, and with the requests library's client it spent half as
much CPU again per request (4.7 against 3.1 ms; docs/performance.md)."""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import FastHttpUser, between, constant_throughput, task
from mix import READS, Read  # bench/mix.py: locust puts the locustfile's folder on the path
from requests.cookies import create_cookie

PLAN = json.loads(open(os.environ["BENCH_PLAN"], encoding="utf-8").read())  # noqa: SIM115
ACCOUNTS = itertools.cycle(PLAN["agents"])
SCRIPTS = itertools.cycle(PLAN["scripts"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _reading(read: Read):
    def visit(user: Agent) -> None:
        user.client.get(read.path(random, user.people, PLAN["boards"]), name=read.name)

    return visit


class Agent(FastHttpUser):
    wait_time = between(1, 3)
    # The reads of bench/mix.py, each as often as its weight; the saves below.
    tasks = {_reading(read): read.weight for read in READS}

    def on_start(self):
        account = next(ACCOUNTS)
        self.people = account["people"]
        self.client.cookiejar.set_cookie(create_cookie(PLAN["cookie"], account["session"]))
        with self.client.get("/", name="/", allow_redirects=False, catch_response=True) as home:
            if home.status_code != 200:
                home.failure("the session is not signed in")

    def _token(self, response) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return CSRF.search(response.text).group(1)

    @task(2)
    def log_a_call(self):
        person = random.choice(self.people)
        page = self.client.get(f"/people/{person}/", name="/people/<id>/")
        self.client.post(
            "/activities/new/",
            {
                "csrfmiddlewaretoken": self._token(page),
                "person": person,
                "kind": "call",
                "subject": "Llamada de seguimiento",
                "done": "on",
                "next": f"/people/{person}/",
            },
            headers={"Referer": page.url},
            name="log a call",
        )

    @task(1)
    def change_stage(self):
        person = random.choice(self.people)
        page = self.client.get(f"/people/{person}/", name="/people/<id>/")
        self.client.post(
            f"/people/{person}/stage/",
            {"csrfmiddlewaretoken": self._token(page), "stage": random.choice(["prospect", "interested"])},
            headers={"Referer": page.url},
            name="change a stage",
        )


class ApiScript(FastHttpUser):
    """An integration with a token: lists people page by page and writes activities and
    changes, at just under its rate limit (API_RATE, set by bench/load.py)."""

    fixed_count = PLAN["script_count"]
    wait_time = constant_throughput(PLAN["script_rate"])

    def on_start(self):
        script = next(SCRIPTS)
        self.people = script["people"]
        self.client.auth_header = f"Bearer {script['token']}"

    @task(3)
    def list_people(self):
        self.client.get(f"/api/v1/people/?page={random.randint(1, 8)}", name="api GET /api/v1/people/")

    @task(1)
    def write_activity(self):
        self.client.post(
            "/api/v1/activities/",
            json={
                "person": random.choice(self.people),
                "kind": "email",
                "subject": "Sincronizado",
                "done": True,
            },
            name="api POST /api/v1/activities/",
        )

    @task(1)
    def update_person(self):
        self.client.patch(
            f"/api/v1/people/{random.choice(self.people)}/",
            json={"city": random.choice(["Lima", "Cusco", "Arequipa"])},
            name="api PATCH /api/v1/people/<id>/",
        )
