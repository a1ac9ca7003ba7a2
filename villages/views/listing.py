"""List pages: one page of what the user's filters keep, with what the filter form and the page links need."""

from django.core.paginator import Paginator

from taobao_site.counting import BoundedCountPaginator


def filtered_list_context(request, filterset, page_size: int, *, count_parts=None) -> dict:
    """The `filter`, the requested `page` of its rows (none while its input is invalid) and the `query` it came with.

    The rows are counted as the API's and the admin's lists are (`taobao_site.counting`): exactly up to a
    threshold, estimated beyond it (the page says "about"). `count_parts`, disjoint querysets holding together
    the rows of the filter's queryset, are counted instead, each under the same filters.

    The query string leaves out the page number, so that each page link (includes/pagination.html) adds its own.
    """
    valid = filterset.is_valid()
    rows = filterset.qs if valid else filterset.queryset.none()
    if count_parts is not None and valid:
        # The filters as validated once, applied to each part.
        count_parts = [filterset.filter_queryset(part) for part in count_parts]
    else:
        count_parts = None
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter": filterset,
        "page": BoundedCountPaginator(rows, page_size, count_parts=count_parts).get_page(request.GET.get("page")),
        "query": query.urlencode(),
    }


class KeysFirstPaginator(Paginator):
    """Pages a queryset by its keys first: the page's keys in a lean query, then those rows as `rows_of` reads them.

    A list whose rows carry joins and annotations (the review queue's villages, townships and platform figures)
    would have the database join and annotate every row it sorts before it keeps a page of them; at national scale
    that is thousands of rows for 25 (#14). Here the sorting query reads only the keys of the page; `rows_of(keys)`
    reads those rows in full (by key, a few index lookups), and the page keeps the keys' order. The count is the
    lean queryset's.
    """

    def __init__(self, object_list, per_page, rows_of, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows_of = rows_of

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.rows_of(keys)} if keys else {}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
