"""The life of a recorded feed batch: claim it, check every row, write it all or nothing, record the outcome.

A batch is all-or-nothing and idempotent by natural key (`villages.feed.writes`). Every step is a conditional
UPDATE, so two runners, or a runner and the sweep, never both win:

    PENDING ──claim──▶ RUNNING ──▶ APPLIED | REJECTED | FAILED          (this module)
    PENDING | RUNNING ──heartbeat stopped──▶ INTERRUPTED                (villages.services.feed, the sweep)

The imports' heartbeat (`villages.imports.jobs`): `heartbeat_at` is renewed at most every few seconds, and
the rows and the final state are written in one transaction whose first statement touches the batch's row,
so the sweep (which skips locked rows) never interrupts a batch that is alive, and a batch that never reached
its final state wrote nothing.
"""

import logging
import time
from itertools import islice

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.feed.rows import CSV, FEED_KINDS, FeedFileError, FeedRowChecker, read_records
from villages.feed.writes import feed_writer
from villages.imports.spreadsheets import SpreadsheetError
from villages.models import FeedBatch

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
HEARTBEAT_SECONDS = 5
# A batch keeps this many of its row errors (it counts them all): enough to correct a file, bounded in size.
MAX_STORED_ERRORS = 1000


def feed_batch_run(*, batch_id: int) -> FeedBatch:
    """Run a pending batch stored as a file (the background task)."""
    batch = FeedBatch.objects.get(pk=batch_id)
    if batch.status != FeedBatch.Status.PENDING or not batch.file:
        return batch
    with batch.file.open("rb") as stored:
        return feed_batch_apply(batch, stored)


class _Rejected(Exception):
    def __init__(self, rows: int, errors: list, invalid: int):
        super().__init__(invalid)
        self.rows, self.errors, self.invalid = rows, errors, invalid


class _Superseded(Exception):
    """The batch left RUNNING while this runner worked on it (the sweep interrupted it); keep nothing."""


def feed_batch_apply(batch: FeedBatch, body) -> FeedBatch:
    """Claim a pending batch and apply `body` (a binary file) to it; the batch as it ended."""
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
