"""Fixtures for the villages tests: the full official division list, loaded once per test module."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from villages.models import Division


def delete_all_divisions():
    """Empty the division table in one statement (the ORM would check 41,934 rows for protected children)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Division._meta.db_table}")


def run_load_divisions() -> str:
    output = io.StringIO()
    call_command("load_divisions", stdout=output)
    return output.getvalue()


@pytest.fixture(scope="module")
def official_divisions(django_db_setup, django_db_blocker):
    """All 41,934 MCA divisions, committed for the module's tests and removed afterwards."""
    with django_db_blocker.unblock():
        run_load_divisions()
    yield
    with django_db_blocker.unblock():
        delete_all_divisions()
