"""Models and migrations agree, whichever language is active when migrations are generated."""

import pytest
from django.core.management import call_command
from django.utils import translation


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_migration_is_missing(language, db):
    with translation.override(language):
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
