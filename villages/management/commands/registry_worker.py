"""`manage.py registry_worker`: django-tasks-db's `db_worker` (all its options), plus the sweep of stopped imports.

The sweep (`import_jobs_interrupt_stale`, and `background_tasks_fail_lost` for the tasks of workers that stopped
beating) runs once before the worker takes its first task, so the jobs a
crashed worker left running are marked interrupted as soon as it is restarted, and then every
`--sweep-interval` seconds in a thread, so that a job of another worker (or of a killed app server) does not
wait for a restart either. Every worker may sweep: the sweep is one conditional UPDATE. Each sweep also
records the worker's heartbeat: in the cache for /healthz, in the database (`WorkerHeartbeat`) for the other
workers' sweeps.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django_tasks_db.management.commands import db_worker

from taobao_site.health import record_worker_heartbeat
from villages.services.background import background_tasks_fail_lost, worker_heartbeat_record
from villages.services.feed import feed_batches_interrupt_stale
from villages.services.imports import import_jobs_interrupt_stale

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = (
        "Run the database background worker, marking import jobs whose heartbeat stopped as interrupted "
        "at start and every --sweep-interval seconds."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-interval",
            type=db_worker.valid_interval,
            default=60,
            help="Seconds between two sweeps for import jobs whose heartbeat stopped (default: %(default)r)",
        )

    def handle(self, *args, sweep_interval: float, **options):
        self.worker_id = options["worker_id"]
        self.sweep(started=True)
        stop = threading.Event()
        sweeper = threading.Thread(
            target=self.sweep_until, args=(stop, sweep_interval), name="import-job-sweep", daemon=True
        )
        sweeper.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            sweeper.join()

    worker_id = None

    def sweep(self, *, started: bool = False) -> None:
        # Each sweep also tells /healthz that this worker is alive (it matters while tasks wait in the queue).
        record_worker_heartbeat()
        timeout = timedelta(seconds=settings.IMPORT_HEARTBEAT_TIMEOUT)
        try:
            if self.worker_id:
                worker_heartbeat_record(worker_id=self.worker_id, started=started)
            background_tasks_fail_lost(older_than=timeout)
            interrupted = import_jobs_interrupt_stale(older_than=timeout)
            interrupted += feed_batches_interrupt_stale(older_than=timeout)
        except DatabaseError:
            # A busy or briefly unreachable database: the next sweep tries again; the worker keeps running.
            logger.exception("The sweep for stopped import jobs failed; it runs again in the next interval.")
            return
        if interrupted:
            logger.warning(
                "%s import job(s) or feed batch(es) had stopped showing signs of life; marked interrupted.", interrupted
            )

    def sweep_until(self, stop: threading.Event, interval: float) -> None:
        try:
            while not stop.wait(interval):
                close_old_connections()
                self.sweep()
        finally:
            # This thread's own connection; the worker's are the main thread's.
            connections.close_all()
