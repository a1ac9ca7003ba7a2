"""Assertions shared by the model tests: a bad value is refused by validation and again by the database."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, transaction


def assert_invalid(instance, field=NON_FIELD_ERRORS, message=None, **full_clean_options):
    """full_clean() refuses the instance with an error on `field` (containing `message`, when given)."""
    with pytest.raises(ValidationError) as refused:
        instance.full_clean(**full_clean_options)
    errors = refused.value.message_dict
    assert field in errors, errors
    if message is not None:
        assert any(message in text for text in errors[field]), errors[field]


def assert_database_refuses(instance):
    """Saving without validation hits a database constraint (the last line of defence).

    A value longer than its column is a DataError on PostgreSQL (SQLite has no length limit; the check
    constraints catch those values there).
    """
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        instance.save()
