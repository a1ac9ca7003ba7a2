"""Spreadsheet imports: the registry of import kinds (what a sheet fills, its columns, how its rows are matched).

An import kind says which model a sheet fills, its columns, its natural key and how to look up what rows
refer to. The engine (`engine.py`) runs a kind over a sheet (`spreadsheets.py`) and writes whole batches
(`bulk_writes.py`); `jobs.py` records each upload as an ImportJob. Each app registers its kinds when it is
ready (`villages.imports.kinds`, `rural_services.imports`), so this package imports no app's kinds itself.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from villages import stored_messages
from villages.imports.spreadsheets import Column

FILE_COLUMN = ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row: the field's column (or FILE_COLUMN), a lazily translated text, its values."""

    column: str
    message: object
    params: dict | None = None

    def text(self) -> str:
        return str(self.message % self.params) if self.params else str(self.message)

    def frozen(self) -> dict:
        return stored_messages.freeze(self.message, self.params)


@dataclass
class RowError:
    """A problem of one row as stored on its job: the sentence of the moment and what renders it again later."""

    row: int
    column: str
    message: str
    field: str = ""
    value: str = ""
    stored: dict = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "field": self.field,
                "value": self.value, "text": self.stored}


class RowInvalid(Exception):
    """A row that cannot be imported; carries one or more problems, given as Problem or (column, text[, params])."""

    def __init__(self, *problems):
        self.problems = tuple(problem if isinstance(problem, Problem) else Problem(*problem) for problem in problems)
        super().__init__(self.problems)


def shown_error(kind, error: dict) -> dict:
    """A stored row error in the reader's language: row, column header, the offending value and the problem.

    Records written before messages were stored as codes keep their sentence and column as they were.
    """
    field_name = error.get("field")
    column = kind.column_label(field_name) if field_name and kind is not None else error.get("column", "")
    return {
        "row": error.get("row"),
        "column": column,
        "value": error.get("value", ""),
        "message": stored_messages.render(error.get("text"), error.get("message", "")),
    }


@dataclass
class ImportKind:
    """What one kind of sheet fills and how its rows are matched, resolved and scoped.

    `resolve(rows, context)` loads, in a few queries, whatever a batch of raw rows refers to;
    `build(raw, resolved, context)` turns one raw row into model values (raising RowInvalid) and returns
    (natural key, values, code used for the jurisdiction check); `existing(keys, context)` loads the
    current records of a batch as {key: (pk, values, locked message or "")}. `key_field`, when the natural
    key is one unique column, lets the history rows of inserted records be copied by that column, without
    reading their new primary keys back first. `scope_of(raw, resolved)`, when given, names the code a row
    would change even when the row is invalid, so that its jurisdiction problem is reported with the others.
    """

    name: str
    label: object
    model: type
    columns: tuple[Column, ...]
    resolve: Callable
    build: Callable
    existing: Callable
    insert_only: tuple[str, ...] = ()
    extra_fields: tuple[str, ...] = ()
    after_write: Callable | None = None
    key_field: str = ""
    scope_of: Callable | None = None

    def column_label(self, field_name: str) -> str:
        """The header of a field's column in the request's language, for the row errors shown to the uploader."""
        for column in self.columns:
            if column.field == field_name:
                return column.header.in_active_language()
        return field_name


IMPORT_KINDS: dict[str, ImportKind] = {}


def register_import_kind(kind: ImportKind) -> ImportKind:
    IMPORT_KINDS[kind.name] = kind
    return kind


def import_kind(name: str) -> ImportKind:
    try:
        return IMPORT_KINDS[name]
    except KeyError:
        raise ValidationError(
            {"kind": _("Unknown import kind %(kind)s; choose one of %(kinds)s.") % {
                "kind": name, "kinds": ", ".join(sorted(IMPORT_KINDS))}}
        ) from None


def shown_errors(job, limit: int | None = None) -> list[dict]:
    """The stored row errors of a job (the first `limit`) in the reader's language (see `shown_error`)."""
    kind = IMPORT_KINDS.get(job.kind)
    return [shown_error(kind, error) for error in job.errors[:limit]]


def shown_preview(job) -> list[dict]:
    """A dry run's preview of the rows it would write, each changed column named in the reader's language."""
    kind = IMPORT_KINDS.get(job.kind)
    return [
        {**row, "cells": [{**cell, "column": kind.column_label(cell["field"]) if kind else cell["field"]}
                          for cell in row.get("cells", ())]}
        for row in job.preview
    ]
