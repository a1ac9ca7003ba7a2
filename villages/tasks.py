"""Background tasks of the villages app (django-tasks): large spreadsheet imports."""

from django_tasks import task

from villages.imports.jobs import import_job_run


@task()
def run_import_job(job_id: int) -> None:
    """Run a pending import job outside the request; progress is stored on the job as it goes."""
    import_job_run(job_id=job_id)
