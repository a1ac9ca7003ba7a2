"""Delivery of recorded outgoing mail: claim a due message, send it within EMAIL_TIMEOUT, record the outcome.

    queued, due ──claim──▶ claimed: attempts + 1, due again only after the retry delay
                              │ sent                      │ the backend raised or timed out
                              ▼                           ▼
                             sent          queued, due after the delay ── … ──▶ failed (after MAIL_MAX_ATTEMPTS)

A send is claimed with one conditional UPDATE on the attempt count read just before, so of two workers that
pick the same row exactly one sends it; a worker that dies mid-send leaves the row due again after the delay,
never stuck. Who runs a delivery: the `deliver_outbound_mail` task (villages/tasks.py) and
`manage.py send_queued_mail`, which sends whatever is due.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from villages.models import OutboundMail

logger = logging.getLogger(__name__)

Status = OutboundMail.Status


@dataclass(frozen=True)
class Delivery:
    """What one delivery did: the message's status after it, and when it is due again if it stays queued."""

    status: str
    retry_at: datetime | None = None


def retry_delay(attempt: int) -> timedelta:
    """How long after its `attempt`-th try a message is tried again: the base delay, doubled for each try."""
    return timedelta(seconds=settings.MAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def outbound_mail_deliver(*, mail_id: int) -> Delivery | None:
    """Send one recorded message if it is due and nobody else holds it (None: not due, or taken)."""
    mail = OutboundMail.objects.filter(pk=mail_id, status=Status.QUEUED, next_attempt_at__lte=timezone.now()).first()
    if mail is None:
        return None
    attempt = mail.attempts + 1
    now = timezone.now()
    retry_at = now + retry_delay(attempt)
    claimed = OutboundMail.objects.filter(
        pk=mail.pk, status=Status.QUEUED, attempts=mail.attempts, next_attempt_at__lte=now
    ).update(attempts=attempt, next_attempt_at=retry_at, updated_at=now)
    if not claimed:
        return None
    message = EmailMessage(
        subject=mail.subject, body=mail.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[mail.recipient]
    )
    try:
        message.send(fail_silently=False)
    except Exception as error:
        # Whatever the backend raises (refused, unreachable, timed out, an SMTP error reply), the row must say
        # so and stay retryable; an exception escaping here would lose the reason.
        return _record_failure(mail, attempt=attempt, retry_at=retry_at, error=error)
    sent_at = timezone.now()
    OutboundMail.objects.filter(pk=mail.pk).update(
        status=Status.SENT, sent_at=sent_at, next_attempt_at=None, updated_at=sent_at
    )
    return Delivery(Status.SENT)


def _record_failure(mail: OutboundMail, *, attempt: int, retry_at: datetime, error: Exception) -> Delivery:
    gave_up = attempt >= settings.MAIL_MAX_ATTEMPTS
    delivery = Delivery(Status.FAILED) if gave_up else Delivery(Status.QUEUED, retry_at)
    OutboundMail.objects.filter(pk=mail.pk).update(
        status=delivery.status,
        next_attempt_at=delivery.retry_at,
        last_error=f"{type(error).__name__}: {error}",
        updated_at=timezone.now(),
    )
    logger.warning(
        "Mail %s to %s failed (attempt %s of %s, now %s): %s",
        mail.pk, mail.recipient, attempt, settings.MAIL_MAX_ATTEMPTS, delivery.status, error,
    )
    return delivery


def outbound_mail_send_due() -> Counter:
    """Send every queued message that is due, retries included; count the outcomes by status ("taken": by another
    worker meanwhile). A message that fails again is due at its next retry, for this command's next run."""
    due = OutboundMail.objects.filter(status=Status.QUEUED, next_attempt_at__lte=timezone.now())
    outcomes = Counter()
    for mail_id in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True).iterator():
        delivery = outbound_mail_deliver(mail_id=mail_id)
        outcomes[delivery.status if delivery else "taken"] += 1
    return outcomes
