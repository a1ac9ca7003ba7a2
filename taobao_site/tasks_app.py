"""The background tasks' database app (django-tasks-db) under a name the admin translates.

The package names itself "Tasks Database Backend" as a plain string, which no catalogue can translate; its model
names are translatable (their Chinese is in taobao_site.third_party_messages).
"""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
