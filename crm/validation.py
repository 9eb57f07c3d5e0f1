"""A record's whole validation before a service saves it, as ``Model.full_clean()`` does it,
at the cost of one query for its checks.

Django validates each check constraint with a query of its own, inside a service's transaction
in a savepoint of its own (three round trips each: an activity's two checks were six), and
asks the database whether every related row exists, even one the service was handed as a
record it had read. :func:`full_clean` gives the same errors, in the same places:

- every check constraint of the record is evaluated in one ``SELECT`` (in one savepoint);
- a relation given as a saved record is not looked up again (a bare id still is).

Unique and other constraints are validated as Django validates them.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.core.exceptions import NON_FIELD_ERRORS, FieldError, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, CheckConstraint, ExpressionWrapper, Model, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


def full_clean(instance: Model, exclude=()) -> None:
    """``instance.full_clean(exclude)``, with its checks in one query (see the module)."""
    errors: dict = {}
    exclude = set(exclude)
    try:
        instance.clean_fields(exclude=exclude | _given_relations(instance))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    # Unique and constraint checks only for the fields that passed, as Django does.
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        instance.validate_unique(exclude=exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        _validate_constraints(instance, exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _given_relations(instance: Model) -> set[str]:
    """The many-to-one fields set to a saved record (``activity.person = person``)."""
    cached = instance._state.fields_cache
    return {
        field.name
        for field in instance._meta.concrete_fields
        if field.many_to_one
        and getattr(cached.get(field.name), "pk", None) is not None
        and cached[field.name].pk == getattr(instance, field.attname)
    }


def _validate_constraints(instance: Model, exclude: set[str]) -> None:
    """``Model.validate_constraints``: the check constraints in one query, the others each
    by its own ``validate``."""
    using = router.db_for_write(type(instance), instance=instance)
    errors: dict = {}
    for model, constraints in instance.get_constraints():
        checks = [c for c in constraints if isinstance(c, CheckConstraint)]
        for constraint in (c for c in constraints if not isinstance(c, CheckConstraint)):
            try:
                constraint.validate(model, instance, exclude=exclude, using=using)
            except ValidationError as error:
                fields = getattr(constraint, "fields", ())
                if getattr(error, "code", None) == "unique" and len(fields) == 1:
                    errors.setdefault(fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
        for constraint in _failed_checks(model, instance, checks, exclude, using):
            error = ValidationError(
                constraint.get_violation_error_message(), code=constraint.violation_error_code
            )
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _failed_checks(model, instance, checks, exclude, using) -> list[CheckConstraint]:
    """The check constraints ``instance`` fails, in one ``SELECT``. A check that names an
    excluded field is skipped, and one the database cannot evaluate passes, as in Django."""
    if not checks:
        return []
    query = Query(None)
    for name, value in instance._get_field_expression_map(meta=model._meta, exclude=exclude).items():
        query.add_annotation(
            value if hasattr(value, "resolve_expression") else Value(value), name, select=False
        )
    evaluated = []
    for index, constraint in enumerate(checks):
        condition = Coalesce(
            ExpressionWrapper(Q(constraint.condition), output_field=BooleanField()),
            True,
            output_field=BooleanField(),
        )
        try:
            query.add_annotation(condition, f"_check_{index}")
        except FieldError:  # a field left out (excluded): not checked, as in Django
            continue
        evaluated.append(constraint)
    if not evaluated:
        return []
    connection = connections[using]
    guard = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        return []
    return [constraint for constraint, passed in zip(evaluated, row, strict=True) if not passed]
