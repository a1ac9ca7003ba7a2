"""Marking the published data as changed, so that every app server recomputes the public pages on its next request."""

from uuid import uuid4

from django.utils import timezone

from villages.models import PublishedDataVersion


def published_data_changed() -> None:
    """Give the published data a new version token, in the caller's transaction (one upsert).

    Called by every write that changes what the public pages show (approve, reopen, rescore). The token
    changes with the transaction's commit, so no reader sees the new token before the new data; the row stays
    locked until then, which orders concurrent approvals only for their last step.
    """
    PublishedDataVersion.objects.bulk_create(
        [PublishedDataVersion(token=uuid4().hex, changed_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["token", "changed_at"],
    )
