"""Background tasks of the villages app (django-tasks): large spreadsheet imports and notification mail."""

import logging
from datetime import datetime

from django_tasks import task

from villages.imports.jobs import import_job_run
from villages.mail_delivery import Status, outbound_mail_deliver

logger = logging.getLogger(__name__)


@task()
def run_import_job(job_id: int) -> None:
    """Run a pending import job outside the request; progress is stored on the job as it goes."""
    import_job_run(job_id=job_id)


@task()
def deliver_outbound_mail(mail_id: int) -> None:
    """Send one recorded message; if it failed and stays queued, run again when its retry is due."""
    delivery = outbound_mail_deliver(mail_id=mail_id)
    # The immediate backend (tests, `make run`) cannot wait: there `send_queued_mail` sends the retries.
    if delivery and delivery.status == Status.QUEUED and deliver_outbound_mail.get_backend().supports_defer:
        outbound_mail_enqueue(mail_id, run_after=delivery.retry_at)


def outbound_mail_enqueue(mail_id: int, *, run_after: datetime | None = None) -> None:
    """Hand one recorded message to the task queue; never raises, for the step that wrote it has committed."""
    delivery_task = deliver_outbound_mail if run_after is None else deliver_outbound_mail.using(run_after=run_after)
    try:
        delivery_task.enqueue(mail_id)
    except Exception:
        # Whatever the task queue does (its database down, a misconfigured backend), the request that committed
        # must answer its success: the row stays queued and `manage.py send_queued_mail` sends it.
        logger.exception("Could not enqueue mail %s; `manage.py send_queued_mail` will send it.", mail_id)
