"""Set-based writes for bulk imports: batched `executemany` inserts and updates, with their history rows.

Imports validate every row first (`villages.imports`); this module only writes rows that are already valid,
the way the database does it fastest: one prepared statement run over a whole batch, inside the caller's
transaction. Timestamps, the edit `version` and django-simple-history rows are kept exactly as a model
`save()` would keep them, so an imported change looks like any other change in the record's history.
"""

from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils import timezone

# Field types whose Python values need the backend's conversion before they reach the driver.
_PREPARED_TYPES = frozenset({"DateField", "DateTimeField", "DecimalField", "TimeField"})

HISTORY_CREATED = "+"
HISTORY_CHANGED = "~"
HISTORY_CHUNK = 500


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _preparers(model, field_names: Sequence[str]):
    """One converter per field: the backend's own preparation for dates and decimals, identity otherwise."""
    converters = []
    for name in field_names:
        field = model._meta.get_field(name)
        if field.get_internal_type() in _PREPARED_TYPES:
            converters.append(lambda value, field=field: field.get_db_prep_save(value, connection))
        else:
            converters.append(None)
    return converters


def _prepared(rows: Iterable[Sequence], converters) -> Iterable[Sequence]:
    if not any(converters):
        return rows
    return [
        tuple(
            value if convert is None or value is None else convert(value)
            for value, convert in zip(row, converters, strict=True)
        )
        for row in rows
    ]


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)


def insert_rows(model, field_names: Sequence[str], rows: Sequence[Sequence]) -> None:
    """INSERT the rows (values in `field_names` order); other columns get their defaults and timestamps now."""
    if not rows:
        return
    now = timezone.now()
    extra_names, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in field_names and field.get_internal_type().endswith("AutoField"):
            continue
        if field.name in field_names or field.attname in field_names:
            continue
        extra_names.append(field.name)
        auto_timestamp = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        extra_values.append(now if auto_timestamp else field.get_default())
    names = [*field_names, *extra_names]
    # The extra values are the same for every row: convert them once, not once per row.
    prepared_extras = [
        value if value is None else model._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in zip(extra_names, extra_values, strict=True)
    ]
    converters = _preparers(model, field_names)
    columns = ", ".join(_quote(model._meta.get_field(name).column) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {_quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*row, *prepared_extras) for row in _prepared(rows, converters)])


def update_rows(model, field_names: Sequence[str], rows: Sequence[Sequence]) -> None:
    """UPDATE by primary key: each row is the new values in `field_names` order followed by the pk.

    The edit version goes up by one and `updated_at` is set, as a save through a service would do.
    """
    if not rows:
        return
    assignments = [f"{_quote(model._meta.get_field(name).column)} = %s" for name in field_names]
    extra_values = []
    if _has_field(model, "updated_at"):
        assignments.append(f"{_quote('updated_at')} = %s")
        extra_values.append(model._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection))
    if _has_field(model, "version"):
        assignments.append(f"{_quote('version')} = {_quote('version')} + 1")
    converters = _preparers(model, field_names)
    pk_column = _quote(model._meta.pk.column)
    sql = f"UPDATE {_quote(model._meta.db_table)} SET {', '.join(assignments)} WHERE {pk_column} = %s"
    with connection.cursor() as cursor:
        prepared = _prepared((row[:-1] for row in rows), converters)
        cursor.executemany(
            sql, [(*values, *extra_values, row[-1]) for values, row in zip(prepared, rows, strict=True)]
        )


def record_history(
    model, pks: Sequence, *, history_type: str, user_id=None, reason: str = "", key_field: str = ""
) -> None:
    """Copy the current state of the rows into the model's django-simple-history table, set-based.

    One `INSERT … SELECT` per chunk of primary keys (or of values of the unique `key_field`, for rows just
    inserted whose keys are known but not their pks), so a batch of any size costs a handful of statements.
    Many-to-many fields the history tracks (`m2m_fields`) are copied too, one more statement per field and
    chunk, so call this after they are written. Models without history are left alone.
    """
    history_manager = getattr(model, "history", None)
    if history_manager is None or not pks:
        return
    historical = history_manager.model
    history_only = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
    copied = [field.column for field in historical._meta.concrete_fields if field.name not in history_only]
    target_columns = ", ".join(_quote(column) for column in copied)
    source_columns = ", ".join(_quote(column) for column in copied)
    history_date = historical._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    if key_field and not model._meta.get_field(key_field).unique:
        raise ValueError(f"{model.__name__}.{key_field} is not unique; history rows are copied by pk.")
    pk_column = _quote(model._meta.get_field(key_field).column if key_field else model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), HISTORY_CHUNK):
            chunk = list(pks[start : start + HISTORY_CHUNK])
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {_quote(historical._meta.db_table)} ({target_columns}, "
                f"{_quote('history_date')}, {_quote('history_change_reason')}, {_quote('history_type')}, "
                f"{_quote('history_user_id')}) "
                f"SELECT {source_columns}, %s, %s, %s, %s FROM {_quote(model._meta.db_table)} "
                f"WHERE {pk_column} IN ({placeholders})",
                [history_date, reason or None, history_type, user_id, *chunk],
            )
            for field in getattr(historical, "_history_m2m_fields", ()):
                _record_m2m_history(cursor, model, field, pk_column, chunk)


def _record_m2m_history(cursor, model, field, pk_column: str, chunk: list) -> None:
    """The many-to-many rows of `field` as they are now, attached to the history rows just written for `chunk`.

    simple-history keeps them in a table of its own (the through table's columns plus `history_id`); its
    model hangs on the historical model under the field's name. The newest history row of each record is the
    one written a statement ago.
    """
    historical = model.history.model
    m2m_history = historical.__dict__[field.name].model
    through = field.remote_field.through
    columns = [f.column for f in through._meta.concrete_fields]
    source = _quote(field.m2m_column_name())
    placeholders = ", ".join(["%s"] * len(chunk))
    history_table, history_id = _quote(historical._meta.db_table), _quote("history_id")
    record_id = _quote(model._meta.pk.column)
    cursor.execute(
        f"INSERT INTO {_quote(m2m_history._meta.db_table)} "
        f"({', '.join(_quote(column) for column in columns)}, {history_id}) "
        f"SELECT {', '.join(f'm.{_quote(column)}' for column in columns)}, h.{history_id} "
        f"FROM {_quote(through._meta.db_table)} m JOIN {history_table} h ON h.{record_id} = m.{source} "
        f"WHERE h.{history_id} IN (SELECT MAX({history_id}) FROM {history_table} "
        f"WHERE {pk_column} IN ({placeholders}) GROUP BY {pk_column})",
        chunk,
    )
