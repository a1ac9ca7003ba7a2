"""Write side of the platform data feed: issue and revoke feed tokens, receive a batch, run it, sweep lost ones.

A batch is all-or-nothing and idempotent by natural key (`villages.feed.writes`). Its states:

    PENDING ──claim──▶ RUNNING ──▶ APPLIED | REJECTED | FAILED          (feed_batch_run)
    PENDING | RUNNING ──heartbeat stopped──▶ INTERRUPTED                (feed_batches_interrupt_stale)

A small batch runs in the request; one over FEED_BACKGROUND_ROWS rows is stored as a file and run by a worker
(`villages.feed.tasks`), with the imports' heartbeat: `heartbeat_at` is renewed at most every few seconds,
and the rows and the final state are written in one transaction whose first statement touches the batch's
row, so the sweep (which skips locked rows) never interrupts a batch that is alive, and a batch that never
reached its final state wrote nothing.
"""

import hashlib
import logging
import secrets
import time
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.feed.rows import CSV, FEED_KINDS, FeedFileError, FeedRowChecker, read_records
from villages.feed.writes import feed_writer
from villages.imports.spreadsheets import SpreadsheetError
from villages.models import DATA_FEEDS, FeedBatch, FeedToken
from villages.services.errors import ConflictError

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
HEARTBEAT_SECONDS = 5
# A batch keeps this many of its row errors (it counts them all): enough to correct a file, bounded in size.
MAX_STORED_ERRORS = 1000

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
        return _run(batch, body)
    batch.file.save(f"batch-{batch.pk}.{file_format}", File(body), save=False)
    FeedBatch.objects.filter(pk=batch.pk).update(file=batch.file.name)
    transaction.on_commit(lambda: _enqueue(batch.pk))
    batch.refresh_from_db()
    return batch


def _enqueue(batch_id: int) -> None:
    from villages.feed.tasks import run_feed_batch

    task = run_feed_batch.enqueue(batch_id)
    FeedBatch.objects.filter(pk=batch_id).update(task_id=task.id)


def _line_count(body) -> int:
    body.seek(0)
    lines = 0
    while chunk := body.read(1 << 20):
        lines += chunk.count(b"\n")
    body.seek(0)
    return lines


def feed_batch_run(*, batch_id: int) -> FeedBatch:
    """Run a pending batch stored as a file (the background task)."""
    batch = FeedBatch.objects.get(pk=batch_id)
    if batch.status != FeedBatch.Status.PENDING or not batch.file:
        return batch
    with batch.file.open("rb") as stored:
        return _run(batch, stored)


class _Rejected(Exception):
    def __init__(self, rows: int, errors: list, invalid: int):
        super().__init__(invalid)
        self.rows, self.errors, self.invalid = rows, errors, invalid


class _Superseded(Exception):
    """The batch left RUNNING while this runner worked on it (the sweep interrupted it); keep nothing."""


def _run(batch: FeedBatch, body) -> FeedBatch:
    started_at = timezone.now()
    claimed = FeedBatch.objects.filter(pk=batch.pk, status=FeedBatch.Status.PENDING).update(
        status=FeedBatch.Status.RUNNING, started_at=started_at, heartbeat_at=started_at)
    if not claimed:
        batch.refresh_from_db()
        return batch
    try:
        with transaction.atomic():
            FeedBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
            fields = _apply(batch, body)
            if not _finish(batch, started_at, status=FeedBatch.Status.APPLIED, **fields):
                raise _Superseded
    except _Superseded:
        pass
    except _Rejected as rejected:
        _finish(batch, started_at, status=FeedBatch.Status.REJECTED, row_count=rejected.rows,
                invalid_count=rejected.invalid, errors=rejected.errors,
                message=_("%(count)s invalid rows: nothing was changed.") % {"count": rejected.invalid})
    except (FeedFileError, SpreadsheetError) as error:
        _finish(batch, started_at, status=FeedBatch.Status.REJECTED, message=" ".join(error.messages))
    except DatabaseError as error:
        logger.warning("Feed batch %s failed on a database error: %s", batch.pk, error)
        _finish(batch, started_at, status=FeedBatch.Status.FAILED, message=_(
            "The database refused the batch (for example a value too large to store); nothing was changed."))
    except Exception:
        logger.exception("Feed batch %s failed unexpectedly", batch.pk)
        _finish(batch, started_at, status=FeedBatch.Status.FAILED, message=_(
            "An unexpected error stopped the batch; nothing was changed. Ask the registry to look at the server "
            "log for batch %(id)s.") % {"id": batch.pk})
    batch.refresh_from_db()
    return batch


def _apply(batch: FeedBatch, body) -> dict:
    """Check every row and write the valid ones; raise _Rejected (rolling back) if any row is invalid."""
    kind = FEED_KINDS[batch.kind]
    checker = FeedRowChecker(kind, year=batch.year)
    writer = feed_writer(kind, batch)
    records = read_records(body, file_format=batch.file_format or CSV, kind=kind)
    rows = invalid = 0
    errors: list = []
    years: set = set()
    year_at = kind.names.index("year")
    last_beat = time.monotonic()
    while chunk := list(islice(records, CHUNK_ROWS)):
        rows += len(chunk)
        valid, chunk_errors = checker.check_chunk(chunk)
        if chunk_errors:
            invalid += len({error.row for error in chunk_errors})
            errors.extend(error.as_dict() for error in chunk_errors[: MAX_STORED_ERRORS - len(errors)])
        elif not invalid:
            writer.add(valid)
            years.update(row[year_at] for row in valid)
        if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
            last_beat = time.monotonic()
            FeedBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now(), row_count=rows)
    if invalid:
        raise _Rejected(rows, errors, invalid)
    counts = writer.finish(rows)
    return {
        "row_count": rows, "created_count": counts.created, "updated_count": counts.updated,
        "unchanged_count": counts.unchanged, "year": batch.year or (years.pop() if len(years) == 1 else None),
        "message": "",
    }


def _finish(batch: FeedBatch, started_at, **fields) -> bool:
    """Store the batch's final state, unless the sweep interrupted this run meanwhile."""
    return bool(
        FeedBatch.objects.filter(pk=batch.pk, status=FeedBatch.Status.RUNNING, started_at=started_at).update(
            finished_at=timezone.now(), heartbeat_at=timezone.now(), **fields)
    )


def feed_batches_interrupt_stale(*, older_than: timedelta) -> int:
    """Mark the batches whose heartbeat stopped as interrupted (one UPDATE, skipping locked rows); their number."""
    cutoff = timezone.now() - older_than
    stale = FeedBatch.objects.filter(
        status__in=[FeedBatch.Status.PENDING, FeedBatch.Status.RUNNING], heartbeat_at__lt=cutoff)
    with transaction.atomic():
        return FeedBatch.objects.filter(pk__in=stale.select_for_update(skip_locked=True).values("pk")).update(
            status=FeedBatch.Status.INTERRUPTED, finished_at=timezone.now(), message=str(STOPPED))
