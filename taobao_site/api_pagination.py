"""API pagination: a keyset cursor on each list's order, `?page=N` as in v1, and counts that stay cheap.

Three ways to ask for a page, one answer shape `{"count", "count_is_estimate", "next", "previous", "results"}`:

- `?cursor=<opaque>` (what `next` and `previous` links carry): the rows after (or before) a position in the
  list's order, fetched as `WHERE order > position ORDER BY order LIMIT size`, so page 10,000 costs what
  page 1 costs. The list's order is the queryset's explicit `order_by`, which must end in a unique column
  (the selectors in `villages/selectors/listings.py` give one that an index serves); a list without such an
  order (one built in Python) has page links only.
- `?page=N`: page numbers exactly as in v1, with page links. A page past the last is a 404; when the count is
  an estimate, the last page is only known by being empty, so a page number is a 404 when it holds no rows.
  Deep page numbers cost an OFFSET: follow the cursor instead.
- neither: page 1, whose `next` link is a cursor link.

`count` and `count_is_estimate` come from `taobao_site.counting.bounded_count`: exact when the list is short,
the planner's estimate beyond `COUNT_ESTIMATE_THRESHOLD` rows on PostgreSQL (that module's docstring says how).
"""

import base64
import binascii
import json
import math
from functools import reduce
from operator import or_

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from taobao_site.counting import bounded_count, bounded_parts_count

# A cursor holds a few short values; anything longer was not made by this server.
MAX_CURSOR_LENGTH = 1000
# Offsets and integer positions beyond a 64-bit integer would overflow the database's parameters.
MAX_INTEGER = 2**63 - 1
AFTER = "after"
BEFORE = "before"


class Keyset:
    """A list's order as (field, descending) pairs ending in a unique field, and positions in it."""

    def __init__(self, model, terms):
        self.model = model
        self.terms = terms

    @classmethod
    def of(cls, queryset):
        """The keyset of a queryset's explicit ordering, or None when it has none that a cursor can follow."""
        if not isinstance(queryset, QuerySet) or not queryset.query.order_by:
            return None
        terms = []
        for term in queryset.query.order_by:
            field = cls._ordering_field(queryset.model, term)
            if field is None:
                return None
            terms.append((term.lstrip("-"), term.startswith("-"), field))
        if not terms[-1][2].unique:
            return None
        return cls(queryset.model, terms)

    @staticmethod
    def _ordering_field(model, term):
        """The column a plain ordering term names, or None.

        Not a relation (which orders by the related model's own ordering), an expression or a lookup across a
        join: a cursor compares the row's own column.
        """
        if not isinstance(term, str):
            return None
        name = term.lstrip("-")
        if name == "pk":
            return model._meta.pk
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        # A nullable column has no position to compare with: NULLs sort apart from every value.
        return field if field.concrete and field.attname == name and not field.null else None

    def ordered(self, queryset, *, backwards: bool):
        """The queryset in this order, or in the reverse order when walking `backwards`."""
        flip = {False: "", True: "-"}
        return queryset.order_by(*(flip[descending != backwards] + name for name, descending, _ in self.terms))

    def position_of(self, row) -> list[str]:
        return [field.value_to_string(row) for _name, _descending, field in self.terms]

    def beyond(self, position, *, backwards: bool) -> Q:
        """Rows strictly after `position` in the order (strictly before it when `backwards`)."""
        alternatives = []
        equal = {}
        for (name, descending, _field), value in zip(self.terms, position, strict=True):
            comparison = "lt" if descending != backwards else "gt"
            alternatives.append(Q(**equal, **{f"{name}__{comparison}": value}))
            equal[name] = value
        return reduce(or_, alternatives)

    def parse_position(self, values):
        """Database values from a cursor's strings; ValueError when they are not values of the fields."""
        if not isinstance(values, list) or len(values) != len(self.terms):
            raise ValueError("wrong number of values")
        parsed = []
        for (_name, _descending, field), value in zip(self.terms, values, strict=True):
            if not isinstance(value, str) or "\x00" in value:
                raise ValueError("not a field value")
            try:
                python_value = field.to_python(value)
            except ValidationError as error:
                raise ValueError("not a field value") from error
            if isinstance(python_value, int) and not -MAX_INTEGER <= python_value <= MAX_INTEGER:
                raise ValueError("out of range")
            parsed.append(python_value)
        return parsed


def encode_cursor(direction: str, position: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps({direction: position}).encode()).decode("ascii")


def decode_cursor(encoded: str) -> tuple[str, object]:
    """The direction and raw position in a cursor; ValueError for anything this server did not make."""
    if len(encoded) > MAX_CURSOR_LENGTH:
        raise ValueError("cursor too long")
    try:
        token = json.loads(base64.urlsafe_b64decode(encoded.encode("ascii")))
    except (UnicodeError, binascii.Error) as error:
        raise ValueError("not a cursor") from error
    if not isinstance(token, dict) or len(token) != 1 or not set(token) <= {AFTER, BEFORE}:
        raise ValueError("not a cursor")
    [(direction, position)] = token.items()
    return direction, position


class RegistryPagination(BasePagination):
    """Cursor, page-number and first-page answers of every API list (the module's docstring says which is which)."""

    page_size = api_settings.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 500
    page_query_param = "page"
    cursor_query_param = "cursor"
    invalid_page_message = _("Invalid page.")
    invalid_cursor_message = _("Invalid cursor: follow the next and previous links as they are given.")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = self.get_page_size(request)
        # A view may name disjoint parts of its list that are cheaper to count (`counting.bounded_parts_count`).
        parts = view.count_parts(queryset) if hasattr(view, "count_parts") else None
        self.count, self.count_is_estimate = bounded_count(queryset) if parts is None else bounded_parts_count(parts)
        keyset = Keyset.of(queryset)
        self.next_link = self.previous_link = None
        if self.cursor_query_param in request.query_params:
            return self._cursor_page(queryset, keyset, request.query_params[self.cursor_query_param])
        if self.page_query_param in request.query_params or keyset is None:
            return self._numbered_page(queryset, request.query_params.get(self.page_query_param, "1"))
        rows = list(keyset.ordered(queryset, backwards=False)[: self.size + 1])
        return self._forward_rows(keyset, rows)

    def get_page_size(self, request) -> int:
        try:
            size = int(request.query_params[self.page_size_query_param])
        except (KeyError, ValueError):
            return self.page_size
        return min(size, self.max_page_size) if size > 0 else self.page_size

    def _cursor_page(self, queryset, keyset, encoded):
        try:
            if keyset is None:
                raise ValueError("this list has no cursor")
            direction, raw_position = decode_cursor(encoded)
            position = keyset.parse_position(raw_position)
        except ValueError as error:
            raise NotFound(self.invalid_cursor_message) from error
        backwards = direction == BEFORE
        rows = list(
            keyset.ordered(queryset, backwards=backwards).filter(keyset.beyond(position, backwards=backwards))[
                : self.size + 1
            ]
        )
        if not backwards:
            page = self._forward_rows(keyset, rows)
            if page:
                self.previous_link = self._cursor_link(BEFORE, keyset.position_of(page[0]))
            return page
        more_before = len(rows) > self.size
        page = rows[: self.size][::-1]
        if page:
            self.next_link = self._cursor_link(AFTER, keyset.position_of(page[-1]))
            if more_before:
                self.previous_link = self._cursor_link(BEFORE, keyset.position_of(page[0]))
        return page

    def _forward_rows(self, keyset, rows):
        page = rows[: self.size]
        if len(rows) > self.size:
            self.next_link = self._cursor_link(AFTER, keyset.position_of(page[-1]))
        return page

    def _cursor_link(self, direction, position):
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, encode_cursor(direction, position))

    def _numbered_page(self, queryset, requested):
        last_page = max(1, math.ceil(self.count / self.size))
        try:
            number = last_page if requested == "last" else int(requested)
        except ValueError as error:
            raise NotFound(self.invalid_page_message) from error
        out_of_range = number < 1 or (number - 1) * self.size > MAX_INTEGER - self.size
        if out_of_range or (number > last_page and not self.count_is_estimate):
            raise NotFound(self.invalid_page_message)
        offset = (number - 1) * self.size
        rows = list(queryset[offset : offset + self.size + 1])
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message)
        url = self.request.build_absolute_uri()
        if len(rows) > self.size:
            self.next_link = replace_query_param(url, self.page_query_param, number + 1)
        if number == 2:
            self.previous_link = remove_query_param(url, self.page_query_param)
        elif number > 2:
            self.previous_link = replace_query_param(url, self.page_query_param, number - 1)
        return rows[: self.size]

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_is_estimate": self.count_is_estimate,
                "next": self.next_link,
                "previous": self.previous_link,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "count_is_estimate", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": force_str(
                        _("Rows in the whole list; the planner's estimate when count_is_estimate is true.")
                    ),
                },
                "count_is_estimate": {
                    "type": "boolean",
                    "description": force_str(
                        _("True when the list is longer than the server counts exactly and count is an estimate.")
                    ),
                },
                "next": {
                    **link,
                    "example": "https://registry.example.org/api/v1/villages/?cursor=eyJhZnRlciI6IFsiMzcxNzIxIl19",
                    "description": force_str(
                        _("The next page: a cursor link, or a page link when the request gave ?page=.")
                    ),
                },
                "previous": {
                    **link,
                    "example": "https://registry.example.org/api/v1/villages/?page=2",
                    "description": force_str(
                        _("The previous page: a cursor link, or a page link when the request gave ?page=.")
                    ),
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": force_str(
                    _("An opaque position from a next or previous link; takes precedence over page.")
                ),
                "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
            },
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": force_str(_("A page number; deep pages cost more than following the cursor.")),
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": force_str(_("Rows per page, at most 500.")),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
