"""Lookup by code in API detail routes: a malformed code is a 404 before it reaches the database."""

import re

from django.http import Http404

VILLAGE_CODE = re.compile(r"^[0-9]{12}$")
DIVISION_CODE = re.compile(r"^([0-9]{6}|[0-9]{9})$")
TOWNSHIP_CODE = re.compile(r"^[0-9]{9}$")
NUMERIC_ID = re.compile(r"^[1-9][0-9]{0,17}$")


class ValidatedLookupMixin:
    """Checks the URL's lookup value against `lookup_pattern`, so NUL bytes or huge numbers answer 404."""

    lookup_pattern = NUMERIC_ID
    lookup_value_regex = "[^/]+"

    def get_object(self):
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        if not self.lookup_pattern.match(self.kwargs[lookup_url_kwarg]):
            raise Http404
        return super().get_object()
