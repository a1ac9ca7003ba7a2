"""Mail never breaks a request: each message is recorded, sent in the background with a timeout, retried with
backoff, claimed so that it is sent once, and kept as failed after the last attempt."""

import contextlib
import io
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.delivery_backends import DisconnectingSMTPBackend
from tests.factories import VillageFactory
from villages import mail_delivery
from villages.mail_delivery import outbound_mail_deliver
from villages.models import ADMINISTRATORS, AnnualReport, OutboundMail
from villages.services.reports import report_approve, report_create, report_submit
from villages.tasks import deliver_outbound_mail

Status = OutboundMail.Status
PROJECT = Path(__file__).resolve().parent.parent.parent
DISCONNECTING = "tests.delivery_backends.DisconnectingSMTPBackend"
WORKING = "django.core.mail.backends.locmem.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
SHOW_MAIL_CONNECTION = (
    "from django.core.mail import get_connection; print(type(get_connection()).__name__, get_connection().timeout)"
)


@pytest.fixture
def submitted(tree, official):
    """A submitted report; its submission mail to the reviewers is cleared, so each test sees only its own."""
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    report = report_create(
        by=official, village=village, year=2023, ecommerce_sales=15_000_000, active_shops=150, households=1200
    )
    report_submit(report=report, by=official)
    OutboundMail.objects.all().delete()
    return report


@pytest.fixture
def smtp_hangs_up(settings, monkeypatch):
    settings.EMAIL_BACKEND = DISCONNECTING
    monkeypatch.setattr(DisconnectingSMTPBackend, "timeouts", [])


@pytest.fixture
def clock(monkeypatch):
    """Time that the test moves on by hand: everything reads `django.utils.timezone.now`."""

    class Clock:
        now = timezone.now()

        def advance(self, delta: timedelta):
            self.now += delta

    moved = Clock()
    monkeypatch.setattr(timezone, "now", lambda: moved.now)
    return moved


@pytest.fixture
def silent_smtp_server():
    """A TCP server that accepts connections and never sends a byte (no SMTP greeting); yields its port.

    It hangs up after HOLD_SECONDS, longer than the bound the test asserts, so a send without a timeout makes
    the test fail rather than hang.
    """
    hold_seconds = 15
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    held = []

    def serve():
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append((listener.accept()[0], time.monotonic()))
            for accepted, since in list(held):
                if time.monotonic() - since > hold_seconds:
                    accepted.close()
                    held.remove((accepted, since))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for accepted, _since in held:
        accepted.close()
    listener.close()


def web_approve(reviewer, report):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reviewer)
    return client.post(reverse("villages:report_review", args=[report.pk]),
                       {"action": "approve", "confirm_warnings": "on"})


def api_approve(reviewer, report):
    client = APIClient()
    client.force_authenticate(reviewer)
    return client.post(f"/api/v1/reports/{report.pk}/approve/", {}, format="json")


# Real commits, so that the mail is enqueued and sent inside the request as in production.
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@committing
@pytest.mark.parametrize(("approve", "success"), [(web_approve, 302), (api_approve, 200)])
def test_approve_answers_its_success_and_keeps_the_mail_queued_with_the_error_when_smtp_hangs_up(
    submitted, official, reviewer, smtp_hangs_up, approve, success
):
    before = timezone.now()

    response = approve(reviewer, submitted)

    assert response.status_code == success
    assert AnnualReport.objects.get(pk=submitted.pk).status == AnnualReport.Status.APPROVED
    queued = OutboundMail.objects.get(report=submitted)
    assert (queued.recipient, queued.status, queued.attempts) == (official.email, Status.QUEUED, 1)
    assert "SMTPServerDisconnected" in queued.last_error
    assert queued.next_attempt_at > before and queued.sent_at is None


def test_send_queued_mail_sends_a_failed_message_exactly_once_when_its_retry_is_due_and_smtp_works(
    submitted, reviewer, smtp_hangs_up, settings, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(report=submitted, by=reviewer)
    queued = OutboundMail.objects.get(report=submitted)
    settings.EMAIL_BACKEND = WORKING

    call_command("send_queued_mail", stdout=io.StringIO())
    assert mailoutbox == [] and OutboundMail.objects.get(pk=queued.pk).status == Status.QUEUED

    clock.advance(queued.next_attempt_at - clock.now + timedelta(seconds=1))
    call_command("send_queued_mail", stdout=io.StringIO())
    call_command("send_queued_mail", stdout=io.StringIO())

    assert [(message.to, message.subject) for message in mailoutbox] == [([queued.recipient], queued.subject)]
    sent = OutboundMail.objects.get(pk=queued.pk)
    assert (sent.status, sent.attempts, sent.sent_at, sent.next_attempt_at) == (Status.SENT, 2, clock.now, None)


def test_each_retry_waits_twice_as_long_as_the_one_before(submitted, reviewer, smtp_hangs_up, settings, clock):
    settings.MAIL_RETRY_BASE_SECONDS = 60
    report_approve(report=submitted, by=reviewer)
    queued = OutboundMail.objects.get(report=submitted)

    waits = []
    for _attempt in range(3):
        outbound_mail_deliver(mail_id=queued.pk)
        queued.refresh_from_db()
        waits.append(queued.next_attempt_at - clock.now)
        clock.advance(waits[-1])

    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert queued.attempts == 3


def test_after_the_last_attempt_the_mail_is_failed_and_stays_listed_in_the_admin(
    submitted, reviewer, smtp_hangs_up, settings, clock, client_for
):
    settings.MAIL_MAX_ATTEMPTS = 3
    report_approve(report=submitted, by=reviewer)

    attempts, outputs = [], []
    for _run in range(5):
        output = io.StringIO()
        call_command("send_queued_mail", stdout=output)
        outputs.append(output.getvalue().strip())
        attempts.append(OutboundMail.objects.get(report=submitted).attempts)
        clock.advance(timedelta(days=1))

    failed = OutboundMail.objects.get(report=submitted)
    assert attempts == [1, 2, 3, 3, 3]
    assert outputs[1] == "Sent 0; 1 failed and will be retried; 0 failed for the last time; 0 taken by another worker."
    assert outputs[2] == "Sent 0; 0 failed and will be retried; 1 failed for the last time; 0 taken by another worker."
    assert outputs[4] == "Sent 0; 0 failed and will be retried; 0 failed for the last time; 0 taken by another worker."
    assert (failed.status, failed.next_attempt_at) == (Status.FAILED, None)
    assert "SMTPServerDisconnected" in failed.last_error
    administrator = make_user("mail_administrator", ADMINISTRATORS, is_staff=True)
    page = client_for(administrator).get(reverse("admin:villages_outboundmail_changelist"), {"status__exact": "failed"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [failed]


def test_admin_retry_now_sends_a_failed_message_and_never_sends_a_sent_one_again(
    submitted, reviewer, official, smtp_hangs_up, settings, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAIL_MAX_ATTEMPTS = 1
    report_approve(report=submitted, by=reviewer)
    failed = OutboundMail.objects.get(report=submitted)
    outbound_mail_deliver(mail_id=failed.pk)
    already_sent = OutboundMail.objects.create(
        recipient=official.email, subject="sent before", body="-", status=Status.SENT, sent_at=timezone.now()
    )
    settings.EMAIL_BACKEND = WORKING
    administrator = make_user("mail_administrator", ADMINISTRATORS, is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            reverse("admin:villages_outboundmail_changelist"),
            {"action": "retry_now", "_selected_action": [failed.pk, already_sent.pk]},
        )

    assert response.status_code == 302
    assert [message.subject for message in mailoutbox] == [failed.subject]
    assert OutboundMail.objects.get(pk=failed.pk).status == Status.SENT
    assert OutboundMail.objects.get(pk=already_sent.pk).attempts == 0


def test_outgoing_mail_is_not_shown_to_reviewers_in_the_admin(db, tree, client_for):
    staff_reviewer = make_user("staff_reviewer", "reviewer", [tree.province], is_staff=True)

    page = client_for(staff_reviewer).get(reverse("admin:villages_outboundmail_changelist"))

    assert page.status_code == 403


@committing
def test_a_step_answers_its_success_when_the_task_queue_is_down_and_send_queued_mail_sends_later(
    submitted, official, reviewer, settings, mailoutbox
):
    settings.TASKS = {"default": {"BACKEND": "tests.delivery_backends.UnavailableTaskBackend"}}

    response = api_approve(reviewer, submitted)

    assert response.status_code == 200
    assert AnnualReport.objects.get(pk=submitted.pk).status == AnnualReport.Status.APPROVED
    waiting = OutboundMail.objects.get(report=submitted)
    assert (waiting.status, waiting.attempts, mailoutbox) == (Status.QUEUED, 0, [])

    call_command("send_queued_mail", stdout=io.StringIO())

    assert [message.to for message in mailoutbox] == [[official.email]]
    assert OutboundMail.objects.get(pk=waiting.pk).status == Status.SENT


def test_under_the_database_task_backend_a_failed_send_is_requeued_for_when_it_is_due(
    submitted, reviewer, smtp_hangs_up, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(report=submitted, by=reviewer)
    queued = OutboundMail.objects.get(report=submitted)
    first = DBTaskResult.objects.get()
    assert first.args_kwargs["args"] == [queued.pk]

    deliver_outbound_mail.call(queued.pk)

    queued.refresh_from_db()
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert (retry.args_kwargs["args"], retry.run_after) == ([queued.pk], queued.next_attempt_at)


def test_every_send_uses_email_timeout_as_its_connections_timeout(
    submitted, reviewer, smtp_hangs_up, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_TIMEOUT = 3

    with django_capture_on_commit_callbacks(execute=True):
        report_approve(report=submitted, by=reviewer)

    assert DisconnectingSMTPBackend.timeouts == [3]


@pytest.mark.parametrize(("environment", "timeout"), [({}, 10), ({"EMAIL_TIMEOUT": "4"}, 4)])
def test_production_smtp_connections_use_email_timeout_from_the_environment(tmp_path, environment, timeout):
    inherited = {key: value for key, value in os.environ.items() if key != "EMAIL_TIMEOUT"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW_MAIL_CONNECTION],
        cwd=PROJECT,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "taobao_site.settings.production",
            "SECRET_KEY": "a-long-production-secret-for-the-check-only-0123456789",
            "ALLOWED_HOSTS": "registry.example.gov.cn",
            "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["EmailBackend", str(timeout)]


@committing
def test_an_smtp_server_that_never_answers_is_given_up_after_email_timeout_and_the_request_still_answers(
    submitted, reviewer, settings, silent_smtp_server
):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = silent_smtp_server
    settings.EMAIL_TIMEOUT = 1

    started = time.monotonic()
    response = web_approve(reviewer, submitted)
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert AnnualReport.objects.get(pk=submitted.pk).status == AnnualReport.Status.APPROVED
    queued = OutboundMail.objects.get(report=submitted)
    assert (queued.status, queued.attempts) == (Status.QUEUED, 1)
    assert "timed out" in queued.last_error
    # A loose bound, not a benchmark: with EMAIL_TIMEOUT = 1 s the send gives up after about a second; without
    # a timeout it would wait until the server hangs up after 15 s.
    assert elapsed < 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_claiming_the_same_message_at_once_send_it_once(settings, mailoutbox, monkeypatch):
    settings.EMAIL_BACKEND = WORKING
    queued = OutboundMail.objects.create(
        recipient="official@example.gov.cn", subject="approved", body="-", next_attempt_at=timezone.now()
    )
    both_have_read = threading.Barrier(2, timeout=10)
    real_retry_delay = mail_delivery.retry_delay

    def retry_delay_once_both_have_read(attempt):
        # Called between reading the row and claiming it: both workers have seen it due before either claims.
        both_have_read.wait()
        return real_retry_delay(attempt)

    monkeypatch.setattr(mail_delivery, "retry_delay", retry_delay_once_both_have_read)
    outcomes = []

    def worker():
        try:
            outcomes.append(outbound_mail_deliver(mail_id=queued.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _worker in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes, key=lambda outcome: outcome is not None) == [None, mail_delivery.Delivery(Status.SENT)]
    assert len(mailoutbox) == 1
    assert OutboundMail.objects.get(pk=queued.pk).attempts == 1
