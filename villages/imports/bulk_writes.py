"""Set-based writes for bulk imports: batched inserts, updates and upserts, with their history rows.

Imports validate every row first (`villages.imports`); this module only writes rows that are already valid,
the way each database does it fastest, inside the caller's transaction. On PostgreSQL rows travel by `COPY`
(psycopg 3's `cursor.copy`): inserts straight into the table, updates and upserts into a temporary staging
table and then one set-based `UPDATE … FROM` or `INSERT … SELECT … ON CONFLICT`. On SQLite one prepared
statement runs over a whole batch (`executemany`). Timestamps, the edit `version` and django-simple-history
rows are kept exactly as a model `save()` would keep them, so an imported change looks like any other change
in the record's history.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


def _uses_copy() -> bool:
    return connection.vendor == "postgresql"


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Send the rows into `table` with one `COPY … FROM STDIN` (PostgreSQL), the fastest way in."""
    column_list = ", ".join(_quote(column) for column in columns)
    with cursor.copy(f"COPY {_quote(table)} ({column_list}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _staging_table(cursor, model, columns: Sequence[str]) -> str:
    """A temporary table with the types of `columns` of the model's table, empty; the caller drops it."""
    staging = f"staging_{model._meta.db_table}"
    column_list = ", ".join(_quote(column) for column in columns)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_quote(staging)} AS SELECT {column_list} FROM {_quote(model._meta.db_table)} "
        "WITH NO DATA"
    )
    return staging


def _columns_with_defaults(model, field_names: Sequence[str]) -> tuple[list[str], list]:
    """The other columns of a new row and their values: defaults, and the timestamps set to now.

    The values are the same for every row: they are converted for the database once, not once per row.
    """
    now = timezone.now()
    extra_names, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in field_names and field.get_internal_type().endswith("AutoField"):
            continue
        if field.name in field_names or field.attname in field_names:
            continue
        extra_names.append(field.name)
        auto_timestamp = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = now if auto_timestamp else field.get_default()
        extra_values.append(value if value is None else field.get_db_prep_save(value, connection))
    return extra_names, extra_values


def _full_rows(model, field_names: Sequence[str], rows: Sequence[Sequence]) -> tuple[list[str], list[tuple]]:
    """Column names and complete rows for an INSERT: the given values, prepared, then the defaults."""
    extra_names, extra_values = _columns_with_defaults(model, field_names)
    columns = [model._meta.get_field(name).column for name in (*field_names, *extra_names)]
    return columns, [(*row, *extra_values) for row in _prepared(rows, _preparers(model, field_names))]


def insert_rows(model, field_names: Sequence[str], rows: Sequence[Sequence]) -> None:
    """INSERT the rows (values in `field_names` order); other columns get their defaults and timestamps now."""
    if not rows:
        return
    columns, full_rows = _full_rows(model, field_names, rows)
    with connection.cursor() as cursor:
        if _uses_copy():
            copy_rows(cursor, model._meta.db_table, columns, full_rows)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {_quote(model._meta.db_table)} ({', '.join(_quote(c) for c in columns)}) "
            f"VALUES ({placeholders})",
            full_rows,
        )


def update_rows(model, field_names: Sequence[str], rows: Sequence[Sequence]) -> None:
    """UPDATE by primary key: each row is the new values in `field_names` order followed by the pk.

    The edit version goes up by one and `updated_at` is set, as a save through a service would do.
    """
    if not rows:
        return
    columns = [model._meta.get_field(name).column for name in field_names]
    assignments, extra_values = [], []
    if _has_field(model, "updated_at"):
        assignments.append(f"{_quote('updated_at')} = %s")
        extra_values.append(model._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection))
    if _has_field(model, "version"):
        assignments.append(f"{_quote('version')} = {_quote('version')} + 1")
    prepared = _prepared((row[:-1] for row in rows), _preparers(model, field_names))
    table, pk_column = _quote(model._meta.db_table), _quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        if _uses_copy():
            staging = _staging_table(cursor, model, [*columns, model._meta.pk.column])
            copy_rows(cursor, staging, [*columns, model._meta.pk.column],
                      ((*values, row[-1]) for values, row in zip(prepared, rows, strict=True)))
            copied = [f"{_quote(column)} = s.{_quote(column)}" for column in columns]
            cursor.execute(
                f"UPDATE {table} SET {', '.join([*copied, *assignments])} FROM {_quote(staging)} s "
                f"WHERE {table}.{pk_column} = s.{pk_column}",
                extra_values,
            )
            cursor.execute(f"DROP TABLE {_quote(staging)}")
            return
        placeholders = [f"{_quote(column)} = %s" for column in columns]
        cursor.executemany(
            f"UPDATE {table} SET {', '.join([*placeholders, *assignments])} WHERE {pk_column} = %s",
            [(*values, *extra_values, row[-1]) for values, row in zip(prepared, rows, strict=True)],
        )


@dataclass(frozen=True)
class Upserted:
    """The primary keys of the rows an upsert inserted and of those whose values it changed."""

    created: list
    updated: list


def upsert_rows(
    model, field_names: Sequence[str], rows: Sequence[Sequence], *, key_field: str, update_fields: Sequence[str]
) -> Upserted:
    """Insert the rows whose unique `key_field` is new; update `update_fields` where they differ; leave the rest.

    Rows hold values in `field_names` order (which include the key and the update fields), each key once. An
    updated row gets a new version and `updated_at`, a new one the defaults, as `update_rows` and
    `insert_rows` give them. On PostgreSQL: one COPY into a staging table and one `INSERT … ON CONFLICT DO
    UPDATE … WHERE the values differ`; elsewhere: a lookup of the existing keys, then both writes.
    """
    if not rows:
        return Upserted(created=[], updated=[])
    if _uses_copy():
        return _upsert_by_copy(model, field_names, rows, key_field=key_field, update_fields=update_fields)
    key_at = field_names.index(key_field)
    update_at = [field_names.index(name) for name in update_fields]
    existing = {
        key: (pk, values)
        for key, pk, *values in model.objects.filter(**{f"{key_field}__in": [row[key_at] for row in rows]})
        .values_list(key_field, "pk", *update_fields)
    }
    to_insert, to_update = [], []
    for row in rows:
        current = existing.get(row[key_at])
        new_values = [row[position] for position in update_at]
        if current is None:
            to_insert.append(row)
        elif current[1] != new_values:
            to_update.append((*new_values, current[0]))
    insert_rows(model, field_names, to_insert)
    update_rows(model, update_fields, to_update)
    created = list(
        model.objects.filter(**{f"{key_field}__in": [row[key_at] for row in to_insert]}).values_list("pk", flat=True)
    ) if to_insert else []
    return Upserted(created=created, updated=[row[-1] for row in to_update])


def _upsert_by_copy(model, field_names, rows, *, key_field, update_fields) -> Upserted:
    columns, full_rows = _full_rows(model, field_names, rows)
    table, pk_column = _quote(model._meta.db_table), _quote(model._meta.pk.column)
    changed = [_quote(model._meta.get_field(name).column) for name in update_fields]
    assignments = [f"{column} = EXCLUDED.{column}" for column in changed]
    if _has_field(model, "updated_at"):
        assignments.append(f"{_quote('updated_at')} = EXCLUDED.{_quote('updated_at')}")
    if _has_field(model, "version"):
        assignments.append(f"{_quote('version')} = {table}.{_quote('version')} + 1")
    differs = " OR ".join(f"{table}.{column} IS DISTINCT FROM EXCLUDED.{column}" for column in changed)
    column_list = ", ".join(_quote(column) for column in columns)
    with connection.cursor() as cursor:
        staging = _staging_table(cursor, model, columns)
        copy_rows(cursor, staging, columns, full_rows)
        # xmax is 0 on a row version this statement inserted, set on one it updated.
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {_quote(staging)} "
            f"ON CONFLICT ({_quote(model._meta.get_field(key_field).column)}) DO UPDATE "
            f"SET {', '.join(assignments)} WHERE {differs} "
            f"RETURNING {table}.{pk_column}, {table}.xmax = 0"
        )
        written = cursor.fetchall()
        cursor.execute(f"DROP TABLE {_quote(staging)}")
    return Upserted(
        created=[pk for pk, inserted in written if inserted], updated=[pk for pk, inserted in written if not inserted]
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
    # PostgreSQL takes the whole list as one array parameter; SQLite limits the parameters of a statement.
    chunk_size = len(pks) if _uses_copy() else HISTORY_CHUNK
    with connection.cursor() as cursor:
        for start in range(0, len(pks), chunk_size):
            chunk = list(pks[start : start + chunk_size])
            among, among_params = _among(pk_column, chunk)
            cursor.execute(
                f"INSERT INTO {_quote(historical._meta.db_table)} ({target_columns}, "
                f"{_quote('history_date')}, {_quote('history_change_reason')}, {_quote('history_type')}, "
                f"{_quote('history_user_id')}) "
                f"SELECT {source_columns}, %s, %s, %s, %s FROM {_quote(model._meta.db_table)} WHERE {among}",
                [history_date, reason or None, history_type, user_id, *among_params],
            )
            for field in getattr(historical, "_history_m2m_fields", ()):
                _record_m2m_history(cursor, model, field, pk_column, chunk)


def _among(column: str, values: list) -> tuple[str, list]:
    """`column` is one of `values`: `= ANY(array)` on PostgreSQL, `IN (…)` with a parameter each elsewhere."""
    if _uses_copy():
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


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
    among, among_params = _among(pk_column, chunk)
    history_table, history_id = _quote(historical._meta.db_table), _quote("history_id")
    record_id = _quote(model._meta.pk.column)
    cursor.execute(
        f"INSERT INTO {_quote(m2m_history._meta.db_table)} "
        f"({', '.join(_quote(column) for column in columns)}, {history_id}) "
        f"SELECT {', '.join(f'm.{_quote(column)}' for column in columns)}, h.{history_id} "
        f"FROM {_quote(through._meta.db_table)} m JOIN {history_table} h ON h.{record_id} = m.{source} "
        f"WHERE h.{history_id} IN (SELECT MAX({history_id}) FROM {history_table} "
        f"WHERE {among} GROUP BY {pk_column})",
        among_params,
    )
