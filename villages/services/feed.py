"""Write side of the platform data feed: issue and revoke feed tokens, receive a batch, sweep lost batches.

A small batch is applied in the request (`villages.feed.batches`, which has the states of a batch); one over
FEED_BACKGROUND_ROWS rows is stored as a file and applied by a worker (`villages.feed.tasks`). A batch whose
heartbeat stopped is marked interrupted by the worker's sweep (`feed_batches_interrupt_stale`).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.feed.batches import feed_batch_apply
from villages.feed.tasks import run_feed_batch
from villages.models import DATA_FEEDS, FeedBatch, FeedToken
from villages.services.errors import ConflictError

STOPPED = gettext_lazy("The server stopped while this batch ran; nothing was changed. Post it again.")


def feed_token_issue(*, user, label: str, expires_on, by=None) -> tuple[FeedToken, str]:
    """A new token for the data-feed user `user`, and its secret: shown once, only its digest is kept."""
    feed_token_check(user=user, expires_on=expires_on)
    secret = secrets.token_urlsafe(32)
    token = FeedToken.objects.create(
        user=user, label=label, key_digest=hashlib.sha256(secret.encode()).hexdigest(), key_prefix=secret[:8],
        expires_on=expires_on, created_by=by,
    )
    return token, secret


def feed_token_check(*, user, expires_on) -> None:
    """Refuse (ValidationError) a token for a user outside the data-feed role, or one that expired already."""
    if user is None or not user.groups.filter(name=DATA_FEEDS).exists() or user.is_staff or user.is_superuser:
        raise ValidationError({"user": _(
            "A feed token can only be issued to a member of the data-feed group who is not staff.")})
    if expires_on is None or expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date is in the past.")})


def feed_token_revoke(*, token: FeedToken, reason: str, by=None) -> FeedToken:
    """Revoke a token for good, with the reason; a token already revoked stays as it was (409)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"revoked_reason": _("Say why the token is revoked.")})
    revoked = FeedToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:200], updated_at=timezone.now())
    if not revoked:
        raise ConflictError(_("This token was already revoked."))
    token.refresh_from_db()
    return token


def feed_batch_post(*, token: FeedToken, kind: str, body, file_format: str, year: int | None = None) -> FeedBatch:
    """Record a posted batch and run it: at once when small, else stored as a file for a background worker."""
    if not isinstance(token, FeedToken) or not token.is_usable():
        raise PermissionDenied(_("Only a valid data-feed token may post to the feed."))
    batch = FeedBatch.objects.create(
        token=token, posted_by=token.user, kind=kind, year=year, file_format=file_format,
        status=FeedBatch.Status.PENDING,
    )
    if _line_count(body) <= settings.FEED_BACKGROUND_ROWS:
        return feed_batch_apply(batch, body)
    batch.file.save(f"batch-{batch.pk}.{file_format}", File(body), save=False)
    FeedBatch.objects.filter(pk=batch.pk).update(file=batch.file.name)
    transaction.on_commit(lambda: _enqueue(batch.pk))
    batch.refresh_from_db()
    return batch


def _enqueue(batch_id: int) -> None:
    task = run_feed_batch.enqueue(batch_id)
    FeedBatch.objects.filter(pk=batch_id).update(task_id=task.id)


def _line_count(body) -> int:
    body.seek(0)
    lines = 0
    while chunk := body.read(1 << 20):
        lines += chunk.count(b"\n")
    body.seek(0)
    return lines


def feed_batches_interrupt_stale(*, older_than: timedelta) -> int:
    """Mark the batches whose heartbeat stopped as interrupted (one UPDATE, skipping locked rows); their number."""
    cutoff = timezone.now() - older_than
    stale = FeedBatch.objects.filter(
        status__in=[FeedBatch.Status.PENDING, FeedBatch.Status.RUNNING], heartbeat_at__lt=cutoff)
    with transaction.atomic():
        return FeedBatch.objects.filter(pk__in=stale.select_for_update(skip_locked=True).values("pk")).update(
            status=FeedBatch.Status.INTERRUPTED, finished_at=timezone.now(), message=str(STOPPED))
