"""Marking the published data as changed, so that every app server recomputes the public pages on its next request."""

from uuid import uuid4

from django.db import transaction
from django.utils import timezone

from villages.models import PublishedDataVersion


def published_data_changed() -> None:
    """Give the published data a new version token, in the caller's transaction.

    Called by every write that changes what the public pages show (approve, reopen, rescore). The token
    changes with the transaction's commit, so no reader sees the new token before the new data; the row stays
    locked until then, which orders concurrent approvals only for their last step.
    """
    changes = {"token": uuid4().hex, "changed_at": timezone.now()}
    with transaction.atomic(savepoint=False):
        updated = PublishedDataVersion.objects.filter(pk=PublishedDataVersion.SINGLETON_ID).update(**changes)
        if not updated:
            PublishedDataVersion.objects.update_or_create(pk=PublishedDataVersion.SINGLETON_ID, defaults=changes)
