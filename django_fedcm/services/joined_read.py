"""The sign-in hot path's reads, compiled once per process: the user row with
their profile and their grant for one relying party (the id assertion), or
with the client ids they approved (the accounts endpoint) — LEFT JOINs on the
user row, so the signed-in user, the profile and the grant cost one query
(:mod:`~django_fedcm.services.session_user`).

The ORM spent more CPU building and compiling this query than the database
spent answering it (tests/benchmarks/bench_server.py, docs/benchmarks.md), and
it runs on every sign-in. The SQL is built here from the models' metadata once
per database alias and user model, quoted by the backend, and each column goes
through the converters the ORM itself would apply (backend converters, then
the field's ``from_db_value``), so values come back exactly as a queryset
returns them. ``tests/services/test_joined_read.py`` compares both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from django.db import connections
from django.db.models import Field, Model

from django_fedcm.models import AccountProfile, Grant

__all__ = [
    "GRANT_FIELDS",
    "PROFILE_FIELDS",
    "profile_and_approved_clients",
    "profile_and_grant",
    "user_fields",
    "user_profile_and_approved_clients",
    "user_profile_and_grant",
]

PROFILE_FIELDS: tuple[Field[Any, Any], ...] = tuple(AccountProfile._meta.concrete_fields)
GRANT_FIELDS: tuple[Field[Any, Any], ...] = tuple(Grant._meta.concrete_fields)

Converter = Callable[[Any, Any, Any], Any]


def user_fields(user_model: type[Model]) -> tuple[Field[Any, Any], ...]:
    """The user model's columns, in the order the reads return them."""
    return tuple(user_model._meta.concrete_fields)


def _converters(
    connection: Any, fields: Sequence[tuple[str, Field[Any, Any]]]
) -> tuple[tuple[int, tuple[Converter, ...], Any], ...]:
    """Per selected column (``(table alias, field)``), the converters the ORM
    would apply: the backend's, then the field's ``from_db_value``."""
    converters = []
    for index, (alias_name, field) in enumerate(fields):
        col = field.get_col(alias_name)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((index, tuple(found), col))
    return tuple(converters)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]


Selected = list[tuple[str, "Field[Any, Any]"]]


def _column(connection: Any, model: type[Model], name: str | None = None) -> str:
    """A model's column (its primary key without ``name``), quoted."""
    field: Any = model._meta.get_field(name) if name else model._meta.pk
    return str(connection.ops.quote_name(str(field.column)))


def _user_and_profile(connection: Any, user_model: type[Model]) -> tuple[Selected, str]:
    """What both reads start with: the columns of the user row ``u`` and of
    its profile ``p``, in field order, and the ``FROM`` clause joining them."""
    qn = connection.ops.quote_name
    user_pk = f"u.{_column(connection, user_model)}"
    selected = [("u", f) for f in user_fields(user_model)]
    selected += [("p", f) for f in PROFILE_FIELDS]
    source = (
        f"{qn(user_model._meta.db_table)} u"
        f" LEFT OUTER JOIN {qn(AccountProfile._meta.db_table)} p"
        f" ON p.{_column(connection, AccountProfile, 'user')} = {user_pk}"
    )
    return selected, source


def _compiled(connection: Any, selected: Selected, sql_after_select: str) -> _Compiled:
    qn = connection.ops.quote_name
    columns = ", ".join(f"{alias}.{qn(str(field.column))}" for alias, field in selected)
    # Only names from the models' metadata, quoted by the backend; values
    # are query parameters.
    sql = f"SELECT {columns} FROM {sql_after_select}"  # noqa: S608
    return _Compiled(sql=sql, converters=_converters(connection, selected))


@lru_cache(maxsize=8)
def _compile(alias: str, user_model: type[Model]) -> _Compiled:
    connection = connections[alias]
    qn = connection.ops.quote_name
    selected, source = _user_and_profile(connection, user_model)
    selected += [("g", f) for f in GRANT_FIELDS]
    column = partial(_column, connection)
    user_pk = f"u.{column(user_model)}"
    return _compiled(
        connection,
        selected,
        f"{source} LEFT OUTER JOIN {qn(Grant._meta.db_table)} g"
        f" ON g.{column(Grant, 'user')} = {user_pk} AND g.{column(Grant, 'relying_party')} = %s"
        f" WHERE {user_pk} = %s",
    )


Values = Sequence[Any]


def user_profile_and_grant(
    alias: str, user_model: type[Model], user_pk: Any, relying_party: Any
) -> tuple[Values, Values, Values] | None:
    """``(user values, profile values, grant values)`` in field order, the
    last two all ``None`` when absent; ``None`` when there is no such user."""
    compiled = _compile(alias, user_model)
    connection = connections[alias]
    params = [
        Grant._meta.get_field("relying_party").get_db_prep_value(relying_party.pk, connection),
        user_model._meta.pk.get_db_prep_value(user_pk, connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = _convert(row, compiled, connection)
    users = len(user_fields(user_model))
    profiles = users + len(PROFILE_FIELDS)
    return values[:users], values[users:profiles], values[profiles:]


def profile_and_grant(user: Any, relying_party: Any) -> tuple[Values, Values] | None:
    """``(profile values, grant values)`` of a loaded user (see
    :func:`user_profile_and_grant`)."""
    found = user_profile_and_grant(
        user._state.db or "default", user._meta.model, user.pk, relying_party
    )
    return None if found is None else (found[1], found[2])


@lru_cache(maxsize=8)
def _compile_approved(alias: str, user_model: type[Model]) -> _Compiled:
    from oauth2_provider.models import get_application_model

    from django_fedcm.models import RelyingParty

    connection = connections[alias]
    qn = connection.ops.quote_name
    application = get_application_model()
    selected, source = _user_and_profile(connection, user_model)
    selected += [
        ("a", application._meta.get_field("client_id")),
        ("r", RelyingParty._meta.get_field("enabled")),
    ]
    column = partial(_column, connection)
    user_pk = f"u.{column(user_model)}"
    return _compiled(
        connection,
        selected,
        f"{source} LEFT OUTER JOIN {qn(Grant._meta.db_table)} g"
        f" ON g.{column(Grant, 'user')} = {user_pk}"
        f" LEFT OUTER JOIN {qn(RelyingParty._meta.db_table)} r"
        f" ON r.{column(RelyingParty)} = g.{column(Grant, 'relying_party')}"
        f" LEFT OUTER JOIN {qn(application._meta.db_table)} a"
        f" ON a.{column(application)} = r.{column(RelyingParty, 'application')}"
        f" WHERE {user_pk} = %s ORDER BY a.{column(application, 'client_id')}",
    )


def user_profile_and_approved_clients(
    alias: str, user_model: type[Model], user_pk: Any
) -> tuple[Values, Values, list[str]] | None:
    """``(user values, profile values, client ids of the enabled relying
    parties the user approved, sorted)``; ``None`` when there is no such
    user. One query."""
    compiled = _compile_approved(alias, user_model)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, [user_model._meta.pk.get_db_prep_value(user_pk, connection)])
        rows = cursor.fetchall()
    if not rows:
        return None
    users = len(user_fields(user_model))
    width = users + len(PROFILE_FIELDS)
    converted = [_convert(row, compiled, connection) for row in rows]
    client_ids = [row[width] for row in converted if row[width] is not None and row[width + 1]]
    return converted[0][:users], converted[0][users:width], client_ids


def profile_and_approved_clients(user: Any) -> tuple[Values, list[str]] | None:
    """``(profile values, approved client ids)`` of a loaded user (see
    :func:`user_profile_and_approved_clients`)."""
    found = user_profile_and_approved_clients(
        user._state.db or "default", user._meta.model, user.pk
    )
    return None if found is None else (found[1], found[2])


def _convert(row: Sequence[Any], compiled: _Compiled, connection: Any) -> list[Any]:
    values = list(row)
    for index, found, column in compiled.converters:
        value = values[index]
        for convert in found:
            value = convert(value, column, connection)
        values[index] = value
    return values
