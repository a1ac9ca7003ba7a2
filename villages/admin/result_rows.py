"""The admin's change list rows, written column by column: the same HTML as Django's, at a fraction of the cost.

Django's `items_for_result` works out, for every cell of every row, what its column is (a field, a method, a
property), its CSS classes, whether it links to the change form, and for the link it reverses the change URL,
resolves it again to merge the preserved filters, and renders the action checkbox through the form widget
templates. On a page of 100 rows that is most of the time a change list takes at national scale (#14).
Here each column is looked at once per page: what does not depend on the row (classes, the link's pattern,
the number and date formats of the language, the labels of choices, the checkbox markup) is prepared once,
and a row only formats its values.

Columns whose display this module does not prepare (methods, properties, `__` paths, files, URLs, …)
go through a copy of Django's own steps for that cell, so every column shows exactly what Django would
show; `tests/villages/test_admin_result_rows.py` compares both for every registered admin. Pages that
Django renders differently (a popup, `list_editable`) keep Django's rows untouched.

templates/admin/change_list.html puts them in Django's change list (`villages.templatetags.registry_admin_list`).
"""

import datetime
import html
from urllib.parse import quote as url_quote

from django import forms
from django.contrib.admin import ModelAdmin, helpers
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_list import _boolean_icon, _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, numberformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

PK_MARK = "0rowKEYmark0"  # letters and digits: `reverse` leaves them as they are
NAME_MARK = "\ue000name\ue000"
NOWRAP_FIELDS = (models.DateField, models.TimeField, models.ForeignKey)
TEXT_FIELDS = (models.CharField, models.TextField)
LINKED_TEXT_FIELDS = (models.URLField, models.FileField)


def escape(text) -> SafeString:
    """`django.utils.html.escape` for the text of a cell: the same characters replaced, without its check of every
    argument for a lazy translation (it is called for each cell of a page, and each value here is made text)."""
    return SafeString(html.escape(str(text)))


def _model_field(opts, name):
    if callable(name):
        return None
    try:
        return _get_non_gfk_field(opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        return None


def _stock_cell(cl, result, name, empty, link):
    """What Django's `items_for_result` shows in one cell, and the cell's extra classes: its own steps."""
    classes = []
    try:
        field, attr, value = lookup_field(name, result, cl.model_admin)
    except ObjectDoesNotExist:
        return empty, classes
    empty = getattr(attr, "empty_value_display", empty)
    if isinstance(value, str) and value.strip() == "":
        value = ""
    if field is None or field.auto_created:
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        if isinstance(value, (datetime.date, datetime.time)):
            classes.append("nowrap")
        return display_for_value(value, empty, boolean), classes
    if isinstance(field.remote_field, models.ManyToOneRel):
        related = getattr(result, field.name)
        shown = empty if related is None else related
    else:
        shown = display_for_field(value, field, empty, avoid_link=link)
    if isinstance(field, NOWRAP_FIELDS):
        classes.append("nowrap")
    return shown, classes


class Column:
    """One column of the change list: what it shows for a row, and the cell's markup around it."""

    def __init__(self, cl, index, name, link, tag, link_pattern):
        self.cl, self.name, self.link, self.tag = cl, name, link, tag
        self.empty = cl.model_admin.get_empty_value_display()
        self.field = _model_field(cl.lookup_opts, name)
        self.link_pattern = link_pattern if link else None
        self.shown = self._prepare(name)
        checkbox = name == "action_checkbox" and (self.field is None or self.field.auto_created)
        self.base_classes = ["action-checkbox" if checkbox else f"field-{_coerce_field_name(name, index)}"]
        if self.kind not in ("stock", "checkbox") and isinstance(self.field, NOWRAP_FIELDS):
            self.base_classes.append("nowrap")
        self.open = mark_safe(f'<{tag} class="{" ".join(self.base_classes)}">')

    def _prepare(self, name):
        """The formatter of a value of this column, or None for Django's steps cell by cell (kind "stock")."""
        field, empty = self.field, self.empty
        self.kind = "stock"
        if name == "action_checkbox" and type(self.cl.model_admin).action_checkbox is ModelAdmin.action_checkbox:
            self.kind = "checkbox"
            checkbox = forms.CheckboxInput(
                {"class": "action-select",
                 "aria-label": format_html(gettext("Select this object for an action - {}"), NAME_MARK)},
                lambda value: False,
            ).render(helpers.ACTION_CHECKBOX_NAME, PK_MARK)
            before, _pk, after = str(checkbox).partition(PK_MARK)
            middle, _name, end = after.partition(NAME_MARK)
            return lambda result: mark_safe(
                f"{before}{escape(str(result.pk))}{middle}{escape(str(result))}{end}"
            )
        if field is None or field.auto_created or field.is_relation and not field.many_to_one:
            return None
        if field.many_to_one:
            self.kind = "related"
            return lambda result: self._related(result)
        if getattr(field, "flatchoices", None):
            try:
                labels = {value: str(label) for value, label in field.flatchoices}
            except TypeError:
                return None
            self.kind = "choices"
            return lambda result: conditional_text(labels.get(getattr(result, name), empty))
        if isinstance(field, models.BooleanField):
            self.kind = "boolean"
            icons = {value: _boolean_icon(value) for value in (True, False, None)}
            return lambda result: icons[getattr(result, name)]
        if isinstance(field, LINKED_TEXT_FIELDS) or not isinstance(field, (*TEXT_FIELDS, models.IntegerField,
                                                                            models.DecimalField, models.DateField)):
            return None
        missing = field.empty_values
        if isinstance(field, models.DateTimeField):
            self.kind = "datetime"
            moment_pattern = get_format("DATETIME_FORMAT")
            return lambda result: (empty if (value := getattr(result, name)) in missing
                                   else escape(dateformat.format(template_localtime(value), moment_pattern)))
        if isinstance(field, TEXT_FIELDS):
            self.kind = "text"

            def text(result):
                value = getattr(result, name)
                if type(value) is not str:
                    return self._stock_value(result)
                if value.strip() == "":
                    value = ""
                return empty if value in missing else escape(value)

            return text
        if isinstance(field, models.DateField):
            self.kind = "date"
            date_pattern = get_format("DATE_FORMAT")
            return lambda result: (empty if (value := getattr(result, name)) in missing
                                   else escape(dateformat.format(value, date_pattern)))
        self.kind = "number"
        language = get_language()
        separators = (get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
                      field.decimal_places if isinstance(field, models.DecimalField) else None,
                      get_format("NUMBER_GROUPING", language, use_l10n=True),
                      get_format("THOUSAND_SEPARATOR", language, use_l10n=True))
        return lambda result: (empty if (value := getattr(result, name)) in missing else
                               escape(numberformat.format(value, *separators, force_grouping=False, use_l10n=True)))

    def _related(self, result):
        try:
            related = getattr(result, self.field.name)
        except ObjectDoesNotExist:
            return self.empty
        return self.empty if related is None else escape(str(related))

    def _stock_value(self, result):
        return conditional_text(_stock_cell(self.cl, result, self.name, self.empty, self.link)[0])

    def cell(self, result) -> str:
        if self.shown is None:
            shown, classes = _stock_cell(self.cl, result, self.name, self.empty, self.link)
            opening = f'<{self.tag} class="{" ".join(self.base_classes + classes)}">'
            shown = conditional_text(shown)
        else:
            opening, shown = self.open, self.shown(result)
        if self.link_pattern is not None:
            before, after = self.link_pattern
            shown = f'<a href="{before}{escape(url_key(result, self.cl.pk_attname))}{after}">{shown}</a>'
        return f"{opening}{shown}</{self.tag}>"


def url_key(result, attname) -> str:
    """A row's key as `reverse` writes it into the change URL: the admin's quoting, then the URL's."""
    return url_quote(str(quote(getattr(result, attname))), safe=RFC3986_SUBDELIMS + "/~:@")


def conditional_text(value) -> str:
    """A shown value as HTML: escaped, unless it is already markup (as Django's `format_html` does)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(value)


def _link_pattern(cl):
    """The escaped change URL of a row around its key, with the preserved filters; None if there is none."""
    opts = cl.opts
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=(PK_MARK,),
                      current_app=cl.model_admin.admin_site.name)
    except NoReverseMatch:
        return None
    url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": opts}, url)
    before, mark, after = escape(url).partition(escape(PK_MARK))
    return (before, after) if mark else None


class RowWriter:
    """Writes the cells of the change list's rows with one `Column` per column of `list_display`."""

    def __init__(self, cl):
        link_pattern = _link_pattern(cl)
        self.columns = []
        first = True
        for index, name in enumerate(cl.list_display):
            link = self._links(cl, first, name)
            tag = "th" if link and first else "td"
            if link:
                first = False
            self.columns.append(Column(cl, index, name, link, tag, link_pattern))

    @staticmethod
    def _links(cl, first, name) -> bool:
        if cl.list_display_links is None:
            return False
        if first and not cl.list_display_links:
            return True
        return name in cl.list_display_links

    def row(self, result) -> str:
        return mark_safe("".join(column.cell(result) for column in self.columns))


def writes_its_own_rows(cl) -> bool:
    """Whether the rows are written here: not on a popup (its links carry the opener) nor with `list_editable`
    forms, which keep Django's own rows."""
    return not cl.is_popup and not cl.formset and not cl.to_field


def results(cl):
    if not writes_its_own_rows(cl):
        return list(admin_list.results(cl))
    writer = RowWriter(cl)
    return [admin_list.ResultList(None, [writer.row(result)]) for result in cl.result_list]


def result_list(cl):
    """Django's `result_list` context, with the rows written by `RowWriter` (one markup string a row)."""
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": results(cl),
    }
