"""Import jobs that cannot get stuck: heartbeat, the sweep to "interrupted", retry, and database errors → failed."""

import signal
import sqlite3
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DataError, IntegrityError, OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from villages.imports import engine, jobs
from villages.models import ImportJob, Village
from villages.services.errors import ConflictError
from villages.services.imports import (
    import_job_confirm,
    import_job_create,
    import_job_retry,
    import_jobs_interrupt_stale,
)

TIMEOUT = timedelta(seconds=120)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def village_csv(count=3):
    lines = ["村代码,名称,户数"] + [f"371721121{200 + n:03d},测试村{n},{100 + n}" for n in range(count)]
    return SimpleUploadedFile("villages.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def stored_job(user, *, status, dry_run=False, silent_for=timedelta(minutes=10), **fields):
    """A job as a crashed run leaves it: its file stored, its last heartbeat `silent_for` ago."""
    job = ImportJob(uploaded_by=user, kind="villages", file_name="villages.csv", dry_run=dry_run, status=status,
                    heartbeat_at=timezone.now() - silent_for, **fields)
    job.file.save("villages.csv", village_csv(), save=False)
    job.save()
    return job


@pytest.fixture
def official_job(official):
    def make(**fields):
        return stored_job(official, **fields)
    return make


# The sweep


@pytest.mark.django_db
def test_a_running_job_whose_heartbeat_stopped_becomes_interrupted_with_nothing_changed(official_job):
    job = official_job(status=ImportJob.Status.RUNNING, progress=40)
    assert import_jobs_interrupt_stale(older_than=TIMEOUT) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INTERRUPTED
    assert job.is_finished and job.is_retryable and job.finished_at is not None
    assert "Nothing was changed: a file is applied as a whole or not at all" in job.message


@pytest.mark.django_db
def test_an_interrupted_dry_run_says_the_check_stopped(official_job):
    job = official_job(status=ImportJob.Status.RUNNING, dry_run=True)
    import_jobs_interrupt_stale(older_than=TIMEOUT)
    job.refresh_from_db()
    assert "while this file was being checked; nothing was changed" in job.message


@pytest.mark.django_db
def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(official_job):
    job = official_job(status=ImportJob.Status.RUNNING, silent_for=timedelta(seconds=5))
    assert import_jobs_interrupt_stale(older_than=TIMEOUT) == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ImportJob.Status.VALIDATED, ImportJob.Status.APPLIED, ImportJob.Status.FAILED])
def test_finished_jobs_are_never_interrupted(official_job, status):
    job = official_job(status=status)
    import_jobs_interrupt_stale(older_than=TIMEOUT)
    job.refresh_from_db()
    assert job.status == status


@pytest.mark.django_db
def test_a_pending_job_whose_task_is_gone_becomes_interrupted(official_job):
    job = official_job(status=ImportJob.Status.PENDING, task_id="lost-task")
    assert import_jobs_interrupt_stale(older_than=TIMEOUT) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INTERRUPTED
    assert "The worker stopped before this import started" in job.message


@pytest.mark.django_db
def test_a_pending_job_whose_task_waits_in_the_queue_is_left_alone(
    official, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    settings.IMPORT_INLINE_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(user=official, kind="villages", uploaded_file=village_csv())
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert import_jobs_interrupt_stale(older_than=TIMEOUT) == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING and job.task_id


# Heartbeat


@pytest.mark.django_db
def test_progress_renews_the_heartbeat_while_a_job_runs(official, monkeypatch):
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0)
    job = import_job_create(user=official, kind="villages", uploaded_file=village_csv())
    assert job.status == ImportJob.Status.VALIDATED
    assert job.heartbeat_at > job.started_at


@pytest.mark.django_db
def test_heartbeats_are_not_written_more_often_than_every_few_seconds(official):
    job = import_job_create(user=official, kind="villages", uploaded_file=village_csv())
    assert job.heartbeat_at == job.started_at


# Retry


@pytest.mark.django_db
def test_retry_runs_an_interrupted_apply_again_to_applied(official_job, official):
    job = official_job(status=ImportJob.Status.RUNNING)
    import_jobs_interrupt_stale(older_than=TIMEOUT)
    job.refresh_from_db()
    retried = import_job_retry(job=job, by=official)
    assert retried.status == ImportJob.Status.APPLIED
    assert retried.created_count == Village.objects.count() == 3


@pytest.mark.django_db
def test_retry_of_a_large_file_queues_it_for_the_worker(official_job, official, settings,
                                                         django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    job = official_job(status=ImportJob.Status.INTERRUPTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_job_retry(job=job, by=official).status == ImportJob.Status.PENDING
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED and job.task_id


@pytest.mark.django_db
def test_an_administrator_may_retry_anyones_job_and_another_official_may_not(
    official_job, administrator, other_official
):
    job = official_job(status=ImportJob.Status.FAILED, dry_run=True)
    with pytest.raises(PermissionDenied):
        import_job_retry(job=job, by=other_official)
    assert import_job_retry(job=job, by=administrator).status == ImportJob.Status.VALIDATED


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ImportJob.Status.RUNNING, ImportJob.Status.APPLIED, ImportJob.Status.VALIDATED])
def test_only_interrupted_or_failed_jobs_can_be_retried(official_job, official, status):
    job = official_job(status=status, silent_for=timedelta(0))
    with pytest.raises(ConflictError):
        import_job_retry(job=job, by=official)
    job.refresh_from_db()
    assert job.status == status


@pytest.mark.django_db
def test_retry_of_a_job_whose_file_is_gone_is_a_conflict(official_job, official):
    job = official_job(status=ImportJob.Status.INTERRUPTED)
    job.file.storage.delete(job.file.name)
    with pytest.raises(ConflictError):
        import_job_retry(job=job, by=official)


# Database errors inside a job


def refuse_with(error_class):
    def refuse(*args, **kwargs):
        raise error_class("refused by the database")
    return refuse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error_class", "words"),
    [
        (DataError, "The database refused a value in the file"),
        (IntegrityError, "conflicts with records saved by someone else"),
        (OperationalError, "The database was busy or unavailable"),
    ],
)
def test_a_database_error_inside_the_engine_fails_the_job_with_its_reason(
    official, monkeypatch, error_class, words
):
    monkeypatch.setattr(engine, "insert_rows", refuse_with(error_class))
    job = import_job_create(user=official, kind="villages", uploaded_file=village_csv(), dry_run=False)
    assert job.status == ImportJob.Status.FAILED
    assert words in job.message and "nothing was changed" in job.message
    assert Village.objects.count() == 0


@pytest.mark.django_db
def test_a_database_error_after_rows_were_written_leaves_none_of_them(official, monkeypatch):
    monkeypatch.setattr(engine, "record_history", refuse_with(DataError))
    job = import_job_create(user=official, kind="villages", uploaded_file=village_csv())
    job = import_job_confirm(job=job, by=official)
    assert job.status == ImportJob.Status.FAILED
    assert Village.objects.count() == 0


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_job_instead_of_leaving_it_running(official, monkeypatch):
    monkeypatch.setattr(engine, "insert_rows", refuse_with(RuntimeError))
    job = import_job_create(user=official, kind="villages", uploaded_file=village_csv(), dry_run=False)
    assert job.status == ImportJob.Status.FAILED
    assert f"server log for import {job.pk}" in job.message


# The worker


@pytest.fixture
def restore_signal_handlers():
    """db_worker installs its own SIGINT/SIGTERM handlers; give the test process its own back."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registry_worker_sweeps_at_start_then_runs_the_queued_imports(official, settings, restore_signal_handlers):
    settings.TASKS = DATABASE_TASKS
    settings.IMPORT_INLINE_MAX_BYTES = 10
    crashed = stored_job(official, status=ImportJob.Status.RUNNING)
    queued = import_job_create(user=official, kind="villages", uploaded_file=village_csv(), dry_run=False)
    assert queued.status == ImportJob.Status.PENDING
    call_command("registry_worker", "--batch", "--no-startup-delay", verbosity=0)
    crashed.refresh_from_db()
    queued.refresh_from_db()
    assert crashed.status == ImportJob.Status.INTERRUPTED
    assert queued.status == ImportJob.Status.APPLIED and Village.objects.count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registry_worker_sweeps_again_every_interval(official):
    from villages.management.commands.registry_worker import Command

    stop_after_two = StopAfter(2)
    stuck = stored_job(official, status=ImportJob.Status.RUNNING)
    Command().sweep_until(stop_after_two, 0)
    stuck.refresh_from_db()
    assert stuck.status == ImportJob.Status.INTERRUPTED
    assert stop_after_two.waits == 3


class StopAfter:
    """A stop event that lets a loop through `rounds` times, then stops it."""

    def __init__(self, rounds):
        self.rounds, self.waits = rounds, 0

    def wait(self, timeout):
        self.waits += 1
        return self.waits > self.rounds


# The job page


@pytest.mark.django_db
def test_the_job_page_shows_the_interruption_and_a_button_that_starts_it_again(official_job, official, client_for):
    job = official_job(status=ImportJob.Status.RUNNING)
    import_jobs_interrupt_stale(older_than=TIMEOUT)
    client = client_for(official)
    page = client.get(reverse("villages:import_job", args=[job.pk])).content.decode()
    assert "interrupted: the server stopped while it ran; nothing was changed" in page
    assert 'id="import-retry"' in page and 'http-equiv="refresh"' not in page
    response = client.post(reverse("villages:import_job", args=[job.pk]), follow=True)
    assert "The import was started again" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED


@pytest.mark.django_db
def test_a_finished_job_page_has_no_retry_button_and_a_post_only_says_why(official, client_for):
    job = import_job_create(user=official, kind="villages", uploaded_file=village_csv())
    client = client_for(official)
    assert 'id="import-retry"' not in client.get(reverse("villages:import_job", args=[job.pk])).content.decode()
    response = client.post(reverse("villages:import_job", args=[job.pk]), follow=True)
    assert "Only an interrupted or failed import can be started again" in response.content.decode()


# A live apply holds its job's row: the sweep leaves it alone however old its last committed beat


@contextmanager
def job_row_held_by_a_live_apply(job):
    """Another session inside an apply's transaction, which began by touching its job's row (jobs.py)."""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        other = psycopg.connect(dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
                                port=settings["PORT"] or 5432, password=settings["PASSWORD"] or None)
        other.execute(f'UPDATE "{ImportJob._meta.db_table}" SET progress = 50 WHERE id = %s', [job.pk])
        # Should the sweep wait for the row instead of skipping it, the test fails rather than hangs.
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
    else:
        connection.ensure_connection()
        connection.connection.execute("PRAGMA busy_timeout = 50")
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute(f'UPDATE "{ImportJob._meta.db_table}" SET progress = 50 WHERE id = ?', [job.pk])
    try:
        yield
    finally:
        other.rollback() if connection.vendor == "postgresql" else other.execute("ROLLBACK")
        other.close()
        connection.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweep_skips_the_job_of_an_apply_still_in_its_transaction_without_waiting(official):
    job = stored_job(official, status=ImportJob.Status.RUNNING)
    with job_row_held_by_a_live_apply(job):
        assert import_jobs_interrupt_stale(older_than=TIMEOUT) == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert import_jobs_interrupt_stale(older_than=TIMEOUT) == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_sweep_waits_for_sqlites_writer_and_tries_again_next_time(official):
    from villages.management.commands.registry_worker import Command

    job = stored_job(official, status=ImportJob.Status.RUNNING)
    with job_row_held_by_a_live_apply(job):
        with pytest.raises(OperationalError):
            import_jobs_interrupt_stale(older_than=TIMEOUT)
        Command().sweep()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    Command().sweep()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INTERRUPTED
