"""Read-only API rows written with precompiled accessors: DRF's output, at a fraction of its cost per row.

DRF's `Serializer.to_representation` resolves every field of every row through `Field.get_attribute` (a walk
over the source's parts, with its exception handling) and then the field's `to_representation`. On a list of
500 rows of 14 fields that is most of the answer's time. `CompiledRepresentation` resolves each readable field
once per serializer instance (a list's child serializer is one instance for all of its rows) into a getter and
a converter:

- a plain source (`code`, `village.code`) is read with `operator.attrgetter`; a callable it yields is called,
  as DRF does (`by.get_username`);
- `CharField`, `IntegerField` and `BooleanField` pass a value through when it already has the type that DRF
  would turn it into (`str`, `int`, `bool`), and use the field's own `to_representation` otherwise; every other
  field converts with its own `to_representation`;
- a value of None is None, as in DRF;
- method fields, relations, nested serializers and `source="*"` go through DRF's own path, as does any field
  whose attribute cannot be read plainly (so that defaults and SkipField keep DRF's meaning).

`tests/api/test_compiled_representation.py` checks, serializer by serializer, that the output equals DRF's.
"""

from operator import attrgetter

from rest_framework import fields, relations, serializers

_PASS_THROUGH = {fields.CharField: str, fields.IntegerField: int, fields.BooleanField: bool}
_DRF_PATH = (serializers.SerializerMethodField, relations.RelatedField, relations.ManyRelatedField,
             serializers.BaseSerializer)


def _converter(field):
    convert = field.to_representation
    kind = _PASS_THROUGH.get(type(field))
    if kind is None:
        return convert

    def pass_through(value):
        return value if type(value) is kind else convert(value)

    return pass_through


def _drf_value(field, instance, row):
    """DRF's own way for one field (`Serializer.to_representation`'s loop body)."""
    try:
        attribute = field.get_attribute(instance)
    except fields.SkipField:
        return
    check_for_none = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
    row[field.field_name] = None if check_for_none is None else field.to_representation(attribute)


class CompiledRepresentation:
    """Mix into a read-only (Model)Serializer before the DRF base class: same output, compiled accessors."""

    def _compiled_fields(self):
        plan = self.__dict__.get("_compiled_plan")
        if plan is None:
            plan = []
            for field in self._readable_fields:
                if isinstance(field, _DRF_PATH) or field.source == "*" or not field.source_attrs:
                    plan.append((field, None, None))
                else:
                    plan.append((field, attrgetter(".".join(field.source_attrs)), _converter(field)))
            self.__dict__["_compiled_plan"] = plan
        return plan

    def to_representation(self, instance):
        row = {}
        for field, getter, convert in self._compiled_fields():
            if getter is None:
                _drf_value(field, instance, row)
                continue
            try:
                value = getter(instance)
            except Exception:
                # A relation that is missing or None, or anything else unusual: DRF decides what it means.
                _drf_value(field, instance, row)
                continue
            if callable(value):
                value = value()
            row[field.field_name] = None if value is None else convert(value)
        return row
