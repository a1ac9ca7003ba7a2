"""The background tasks' database app (django-tasks-db) under a name and model labels the admin translates.

The package names itself "Tasks Database Backend" and its model "Task Result" in English only; the admin of a
Chinese registry lists them in Chinese like every other section.
"""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        super().ready()
        result = self.get_model("DBTaskResult")
        result._meta.verbose_name = _("background task result")
        result._meta.verbose_name_plural = _("background task results")
