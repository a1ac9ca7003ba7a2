"""The API's filter backend: django-filter's, which a list whose request names none of its filters skips.

django-filter builds a FilterSet for every request of a list: a deep copy of each declared filter, a form with a
field per filter, its validation, then each filter's `filter()`, all of which leave the queryset as it is when
the request gives no value for any filter. On a page of 50 villages that was a tenth of the answer's time.
The backend skips all of it when no query parameter is the name of one of the FilterSet's filters (a cursor, a
page, a page size, or nothing), and runs django-filter as before otherwise, unknown parameters beside a filter
included. A filter whose form field reads parameters of other names (a range's `_min`/`_max`, any MultiWidget)
makes the backend run the FilterSet on every request, as django-filter does.
"""

from django import forms
from django_filters.rest_framework import DjangoFilterBackend

_parameter_names: dict[type, frozenset | None] = {}


def filter_parameter_names(filterset_class) -> frozenset | None:
    """The query parameters the FilterSet's form reads, or None when some filter reads others than its name."""
    if filterset_class not in _parameter_names:
        names = set()
        for name, declared in filterset_class.base_filters.items():
            widget = declared.extra.get("widget", declared.field_class.widget)
            widget_class = widget if isinstance(widget, type) else type(widget)
            if issubclass(widget_class, forms.MultiWidget):
                names = None
                break
            names.add(name)
        _parameter_names[filterset_class] = None if names is None else frozenset(names)
    return _parameter_names[filterset_class]


class RegistryFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = filter_parameter_names(filterset_class)
        if names is not None and names.isdisjoint(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
