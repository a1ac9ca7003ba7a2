"""The API's filter backend: django-filter's, run with the filters that the request gives a value for.

django-filter builds a FilterSet for every request of a list: a deep copy of each declared filter, a form with a
field per filter, its validation, then each filter's `filter()`, all of which leave the queryset as it is for a
filter the request gives no parameter for. On a page of 50 villages that was a tenth of the answer's time. This
backend skips all of it when no query parameter names a filter (a cursor, a page, a page size, or nothing), and
otherwise runs django-filter on a FilterSet narrowed to the filters named: the same validation, the same
messages, the same rows, for the filters that can change them.

A FilterSet is always run whole, as django-filter runs it, when one of its filters reads parameters of other
names than its own (a range's `_min`/`_max`, any MultiWidget), when one is required (its absence is an error),
or when its form is not a plain form (a form's `clean` may look at every field).
"""

from django import forms
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend

_parameter_names: dict[type, frozenset | None] = {}
# The request's FilterSet, once validated: (its declared class, the validated instance).
_VALIDATED = "_registry_validated_filterset"
_narrowed: dict[tuple[type, frozenset], type] = {}


def filter_parameter_names(filterset_class) -> frozenset | None:
    """The query parameters the FilterSet's form reads, or None when it must run whole (the module says when)."""
    if filterset_class not in _parameter_names:
        names = set()
        plain_form = filterset_class._meta.form is forms.Form
        for name, declared in filterset_class.base_filters.items():
            widget = declared.extra.get("widget", declared.field_class.widget)
            widget_class = widget if isinstance(widget, type) else type(widget)
            if not plain_form or issubclass(widget_class, forms.MultiWidget) or declared.extra.get("required"):
                names = None
                break
            names.add(name)
        _parameter_names[filterset_class] = None if names is None else frozenset(names)
    return _parameter_names[filterset_class]


def narrowed(filterset_class, names: frozenset):
    """A subclass of the FilterSet with only the filters `names` (made once per combination)."""
    key = (filterset_class, names)
    if key not in _narrowed:
        subclass = type(filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__})
        subclass.base_filters = {name: f for name, f in filterset_class.base_filters.items() if name in names}
        _narrowed[key] = subclass
    return _narrowed[key]


class RegistryFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = filter_parameter_names(filterset_class)
        if names is None:
            return super().filter_queryset(request, queryset, view)
        given = names.intersection(request.query_params)
        if not given:
            return queryset
        validated = getattr(request, _VALIDATED, None)
        if validated is not None and validated[0] is filterset_class:
            # The same filters again, over another queryset of the request (the parts a list is counted by):
            # validated once, applied to each.
            return validated[1].filter_queryset(queryset.all())
        filterset = narrowed(filterset_class, frozenset(given))(**self.get_filterset_kwargs(request, queryset, view))
        valid = filterset.is_valid()
        if not valid and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        rows = filterset.qs
        if valid:
            setattr(request, _VALIDATED, (filterset_class, filterset))
        return rows
