"""The background task of the data feed (django-tasks): apply a large stored batch outside the request."""

from django_tasks import task

from villages.feed.batches import feed_batch_run


@task()
def run_feed_batch(batch_id: int) -> None:
    """Run a pending feed batch; its heartbeat and final state are stored on the batch as it goes."""
    feed_batch_run(batch_id=batch_id)
