"""The channels on the data set (`make bench`): how fast one task worker sends a campaign
email through the embedded SMTP server, and how long an answer takes from the customer's
mailbox to the timeline, with IMAP IDLE and with polling.

1. Campaign email: the real processes of `make run` — `manage.py mail_outbox` (aiosmtpd,
   storing each message for the Outbox) and one `manage.py worker` — with the rate limit
   lifted; a mailing to ``--members`` people of the data set; messages per minute from its
   start to its end, every message checked to have arrived.
2. Answers: Debian's dovecot (as the tests start it) holds the agent's mailbox. IDLE: the
   listener (`manage.py mail_listen`'s loop) waits; each answer is delivered and timed until
   it is on the timeline. Polling: the worker's round reads what arrived; an answer waits for
   the next round (MAIL_POLL_SECONDS), then the round's own time.

Everything written is deleted afterwards; the data set stays as it was.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _wait(condition, timeout: float, step: float = 0.01) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the condition was not met in time")
        time.sleep(step)
    return time.perf_counter() - started


def run_campaign_email(members: int) -> dict:
    """Send a campaign email to ``members`` people with the real worker and outbox."""
    from django.db import transaction

    from activities.models import Activity, OutboxMessage
    from campaigns.mailings import mailing_start
    from campaigns.models import Mailing
    from crm.models import User
    from crm.tests.network import free_port
    from people.models import Person

    agent = User.objects.filter(role=User.Role.AGENT, is_active=True).order_by("pk").first()
    ids = list(
        Person.objects.filter(owner=agent, discarded_at=None)
        .exclude(email="")
        .values_list("pk", flat=True)[:members]
    )
    # Campaign emails go to people who consented to marketing email only (crm.consent): these did.
    from crm import consent
    from crm.models import Consent

    if consent.allowed(Person.objects.filter(pk__in=ids), "email", "marketing").count() != len(ids):
        consent.record(
            people=ids,
            channels=[Consent.Channel.EMAIL],
            purposes=[Consent.Purpose.MARKETING],
            given=True,
            source=Consent.Source.AGENT,
            text="bench",
            by=agent,
        )
    port = free_port()
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}?tls=0",
        "OUTBOX_PORT": str(port),
        "EMAIL_RATE_PER_MINUTE": "1000000",  # the ceiling, not the limit
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    outbox = subprocess.Popen(
        [*manage, "mail_outbox", "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    worker = subprocess.Popen(
        [*manage, "worker"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    before_outbox = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before_activity = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        time.sleep(2)  # both listening
        with transaction.atomic():
            mailing = mailing_start(
                by=agent,
                people=Person.objects.filter(pk__in=ids),
                subject="Oferta {first_name}",
                body="Hola {name}, le escribimos por la feria.",
                audience="bench",
                base_url="http://127.0.0.1:8000",
            )
        started = time.perf_counter()
        _wait(lambda: Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DONE).exists(), 900, 0.05)
        _wait(lambda: OutboxMessage.objects.filter(pk__gt=before_outbox).count() >= len(ids), 60, 0.05)
        total = time.perf_counter() - started
    finally:
        worker.terminate()
        outbox.terminate()
        worker.wait(timeout=30)
        outbox.wait(timeout=30)
        Mailing.objects.filter(audience="bench").delete()
        Activity.objects.filter(pk__gt=before_activity).delete()
        OutboxMessage.objects.filter(pk__gt=before_outbox).delete()
    return {"messages": len(ids), "seconds": total, "per_minute": len(ids) / total * 60}


def _answer(sender: str, to: str) -> tuple[str, bytes]:
    message = EmailMessage()
    message_id = make_msgid(domain="cliente.example")
    message["From"], message["To"], message["Subject"], message["Message-ID"] = (
        sender,
        to,
        "Re: Oferta",
        message_id,
    )
    message.set_content("Gracias, ¿me llama mañana?")
    return message_id, bytes(message)


def run_answers(rounds: int) -> dict:
    """Answer latency, IDLE and polling, against dovecot."""
    from activities import imap, passwords
    from activities.models import Activity, InboundEmail, Mailbox
    from crm.models import User
    from crm.tests.dovecot import DOVECOT, Dovecot
    from people.models import Person

    if not Path(DOVECOT).exists():
        return {}
    from django.conf import settings

    settings.MAIL_ALLOW_PRIVATE = True  # the benchmark's mail server is on this machine
    agent = User.objects.filter(role=User.Role.AGENT, is_active=True).order_by("pk").first()
    sender = (
        Person.objects.filter(owner=agent, discarded_at=None).exclude(email="").order_by("pk").first().email
    )
    server = Dovecot(["agent@bench.test"])
    mailbox = Mailbox.objects.create(
        user=None,
        address="agent@bench.test",
        host="127.0.0.1",
        port=server.port,
        use_ssl=False,
        username="agent@bench.test",
        password_encrypted=passwords.hide("secret"),
        active=False,
    )
    before_activity = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    idle, polled = [], []
    stop = threading.Event()
    try:
        imap.check(mailbox)  # the first read
        listener = threading.Thread(
            target=imap.listen, args=(mailbox, stop), kwargs={"wake_seconds": 30}, daemon=True
        )
        listener.start()
        time.sleep(1)  # in IDLE
        for _round in range(rounds):
            message_id, raw = _answer(sender, "agent@bench.test")
            started = time.perf_counter()
            server.deliver("agent@bench.test", raw)
            filed = InboundEmail.objects.filter(message_id=message_id, status="filed")
            _wait(filed.exists, timeout=30)
            idle.append(time.perf_counter() - started)
        stop.set()
        listener.join(timeout=40)
        mailbox.refresh_from_db()
        for _round in range(rounds):
            message_id, raw = _answer(sender, "agent@bench.test")
            server.deliver("agent@bench.test", raw)
            started = time.perf_counter()
            imap.check(mailbox)  # what the worker's polling round does for this mailbox
            polled.append(time.perf_counter() - started)
            assert InboundEmail.objects.filter(message_id=message_id, status="filed").exists()
    finally:
        stop.set()
        server.stop()
        InboundEmail.objects.filter(mailbox=mailbox).delete()
        mailbox.delete()
        Activity.objects.filter(pk__gt=before_activity).delete()
    return {"idle": idle, "polled": polled}


def lines(members: int = 500, rounds: int = 10) -> list[str]:
    from django.conf import settings

    mail = run_campaign_email(members)
    out = [
        f"Campaign email, {mail['messages']} members, one worker, embedded SMTP: "
        f"{mail['seconds']:.1f} s, {mail['per_minute']:,.0f} messages a minute "
        f"(the limit EMAIL_RATE_PER_MINUTE is {settings.EMAIL_RATE_PER_MINUTE})"
    ]
    answers = run_answers(rounds)
    if answers:
        idle, polled = answers["idle"], answers["polled"]
        out.append(
            f"Answer to timeline, IMAP IDLE: median {statistics.median(idle) * 1000:.0f} ms, "
            f"max {max(idle) * 1000:.0f} ms ({len(idle)} answers)"
        )
        out.append(
            f"Answer to timeline, polling: the round itself median {statistics.median(polled) * 1000:.0f} ms, "
            f"max {max(polled) * 1000:.0f} ms, after waiting for the next round "
            f"(MAIL_POLL_SECONDS = {settings.MAIL_POLL_SECONDS}: {settings.MAIL_POLL_SECONDS / 2:.0f} s on average)"
        )
    else:
        out.append("Answer to timeline: skipped (no dovecot: apt-get install dovecot-imapd)")
    return out
