"""Spreadsheet imports: the registry of import kinds (what a sheet fills, its columns, how its rows are matched).

An import kind says which model a sheet fills, its columns, its natural key and how to look up what rows
refer to. The engine (`engine.py`) runs a kind over a sheet (`spreadsheets.py`) and writes whole batches
(`bulk_writes.py`); `jobs.py` records each upload as an ImportJob. Each app registers its kinds when it is
ready (`villages.imports.kinds`, `rural_services.imports`), so this package imports no app's kinds itself.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from villages.imports.spreadsheets import Column

FILE_COLUMN = ""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class RowInvalid(Exception):
    """A row that cannot be imported; carries one or more (column, message) pairs."""

    def __init__(self, *problems: tuple[str, str]):
        self.problems = problems
        super().__init__(problems)


@dataclass
class ImportKind:
    """What one kind of sheet fills and how its rows are matched, resolved and scoped.

    `resolve(rows, context)` loads, in a few queries, whatever a batch of raw rows refers to;
    `build(raw, resolved, context)` turns one raw row into model values (raising RowInvalid) and returns
    (natural key, values, code used for the jurisdiction check); `existing(keys, context)` loads the
    current records of a batch as {key: (pk, values, locked message or "")}. `key_field`, when the natural
    key is one unique column, lets the history rows of inserted records be copied by that column, without
    reading their new primary keys back first.
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
