"""Read-only API rows written with precompiled accessors: DRF's output, at a fraction of its cost per row.

DRF's `Serializer.to_representation` resolves every field of every row through `Field.get_attribute` (a walk
over the source's parts, with its exception handling) and then the field's `to_representation`. On a list of
500 rows of 14 fields that is most of the answer's time. `CompiledRepresentation` resolves each readable field
once per serializer class into a getter and a converter (`CompiledRepresentation` says which parts each
instance gets its own copy of):

- a plain source (`code`, `village.code`) is read with `operator.attrgetter`; a callable it yields is called,
  as DRF does (`by.get_username`);
- `CharField`, `IntegerField` and `BooleanField` pass a value through when it already has the type that DRF
  would turn it into (`str`, `int`, `bool`), and use the field's own `to_representation` otherwise; a
  `DecimalField` skips quantizing a Decimal that already has its decimal places; every other field converts with
  its own `to_representation`;
- a value of None is None, as in DRF;
- a list (`many=True`) or dictionary (`DictField(child=...)`) of plain serializers over stored JSON (an
  assessment's checks and input sources) writes each item's keys with its fields' converters; an item that
  lacks one of the fields, or holds anything but a dictionary, is written by DRF;
- method fields, relations, other nested serializers, files and `source="*"` go through DRF's own path, as
  does any field whose attribute cannot be read plainly (so that defaults and SkipField keep DRF's meaning).

`tests/api/test_compiled_representation.py` checks, serializer by serializer, that the output equals DRF's.
"""

import copy
from decimal import Decimal
from operator import attrgetter

from rest_framework import fields, relations, serializers
from rest_framework.settings import api_settings

_PASS_THROUGH = {fields.CharField: str, fields.IntegerField: int, fields.BooleanField: bool}
_BY_DRF, _LEFT_OUT = object(), object()
_DRF_PATH = (serializers.SerializerMethodField, relations.RelatedField, relations.ManyRelatedField,
             serializers.BaseSerializer, fields.FileField)


def _converter(field):
    convert = field.to_representation
    if type(field) is fields.DecimalField:
        return _decimal_converter(field)
    kind = _PASS_THROUGH.get(type(field))
    if kind is None:
        return convert

    def pass_through(value):
        return value if type(value) is kind else convert(value)

    return pass_through


def _decimal_converter(field):
    """A DecimalField's converter that leaves out the quantizing when the value is a Decimal that already has the
    field's decimal places and fits its digits (a value read from a column of the same precision): quantizing
    it would give the same value. Anything else is the field's own `to_representation`."""
    convert = field.to_representation
    if field.decimal_places is None or field.normalize_output or field.localize:
        return convert
    exponent, max_digits = -field.decimal_places, field.max_digits
    as_string = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)

    def decimal_as_stored(value):
        if type(value) is Decimal:
            sign, digits, value_exponent = value.as_tuple()
            if value_exponent == exponent and (max_digits is None or len(digits) <= max_digits):
                return f"{value:f}" if as_string else value
        return convert(value)

    return decimal_as_stored


def _plain_item_writer(serializer):
    """A writer of one JSON item (a dict) as `serializer` (a plain Serializer of simple fields) writes it, or None
    when the serializer has fields that are not read straight off the item's keys."""
    if type(serializer).to_representation is not serializers.Serializer.to_representation:
        return None
    plan = []
    for field in serializer._readable_fields:
        if isinstance(field, _DRF_PATH) or field.source_attrs != [field.field_name]:
            return None
        # A key the item lacks, as `Field.get_attribute` reads it: null if the field allows it, else left out if
        # the field is optional; a default or an error is DRF's to give.
        if field.default is not fields.empty or (field.required and not field.allow_null):
            missing = _BY_DRF
        else:
            missing = None if field.allow_null else _LEFT_OUT
        plan.append((field.field_name, _converter(field), missing))

    def write(item):
        if type(item) is not dict:
            return serializer.to_representation(item)
        row = {}
        for name, convert, missing in plan:
            if name in item:
                value = item[name]
                row[name] = None if value is None else convert(value)
            elif missing is _BY_DRF:
                return serializer.to_representation(item)
            elif missing is not _LEFT_OUT:
                row[name] = missing
        return row

    return write


def _nested_converter(field):
    """The converter of a list or dict of plain serializers (see the module's docstring), or None."""
    if type(field) is serializers.ListSerializer:
        write = _plain_item_writer(field.child)
        return None if write is None else (lambda items: [write(item) for item in items])
    if type(field) is fields.DictField and isinstance(field.child, serializers.Serializer):
        write = _plain_item_writer(field.child)
        return None if write is None else (
            lambda items: {str(key): None if item is None else write(item) for key, item in items.items()}
        )
    return None


def _drf_value(field, instance, row):
    """DRF's own way for one field (`Serializer.to_representation`'s loop body)."""
    try:
        attribute = field.get_attribute(instance)
    except fields.SkipField:
        return
    check_for_none = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
    row[field.field_name] = None if check_for_none is None else field.to_representation(attribute)


class CompiledRepresentation:
    """Mix into a read-only (Model)Serializer before the DRF base class: same output, compiled accessors.

    The plan is made once per serializer class, from the first instance's fields: building a ModelSerializer's
    fields (a deep copy of the declared ones, a mapping of every model field) costs more than writing a page of
    rows. What a plain field's getter and converter use is the field's own configuration, so they serve every
    instance. A field on DRF's path (a method field, a relation, a nested serializer, a file) may read the
    instance's context (the request: whose partner details are shown, which absolute URL), so each instance
    gets its own copy of those, bound to itself, as DRF's `fields` would give it.
    """

    def _class_plan(self):
        cls = type(self)
        plan = cls.__dict__.get("_compiled_class_plan")
        if plan is None:
            plan = []
            for field in self._readable_fields:
                nested = _nested_converter(field) if field.source_attrs else None
                if nested is not None:
                    plan.append((field, attrgetter(".".join(field.source_attrs)), nested))
                elif isinstance(field, _DRF_PATH) or field.source == "*" or not field.source_attrs:
                    plan.append((field, None, None))
                else:
                    plan.append((field, attrgetter(".".join(field.source_attrs)), _converter(field)))
            cls._compiled_class_plan = plan
        return plan

    def _own_field(self, prototype):
        """This instance's copy of a field of the class plan, bound to it (DRF's fields are deep copies too)."""
        own = self.__dict__.setdefault("_compiled_own_fields", {})
        field = own.get(prototype.field_name)
        if field is None:
            field = own[prototype.field_name] = copy.deepcopy(prototype)
            field.bind(prototype.field_name, self)
        return field

    def _compiled_fields(self):
        plan = self.__dict__.get("_compiled_plan")
        if plan is None:
            plan = [
                (self._own_field(field) if getter is None else field, getter, convert)
                for field, getter, convert in self._class_plan()
            ]
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
                # A relation that is missing or None, or anything else unusual: DRF decides what it means, with
                # this instance's own field (a default may read the context).
                _drf_value(self._own_field(field), instance, row)
                continue
            if callable(value):
                value = value()
            row[field.field_name] = None if value is None else convert(value)
        return row
