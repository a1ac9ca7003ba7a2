"""The admin's list of applications and models (the navigation sidebar on every admin page, and the index),
written as Django's `admin/app_list.html` writes it, without the template engine.

Every admin page carries the sidebar: some 35 models, each a table row of nested `{% if %}`, `{% with %}`,
`{% translate %}` and filters, whose rendering cost more than the page's own rows. This writes the same bytes
from the same context (`app_list`, `show_changelinks`, `request`), escaping as the template does;
templates/admin/app_list.html calls it. `tests/villages/test_admin_app_list.py` and the change list comparison
(`tests/villages/test_admin_result_rows.py`) compare it with Django's own template, page by page.
"""

from urllib.parse import quote

from django.utils.html import conditional_escape
from django.utils.translation import gettext


def _model_row(app_label: str, model: dict, path: str, show_changelinks: bool) -> str:
    name = conditional_escape(str(model["object_name"]).lower())
    label = f"{app_label}-{name}"
    admin_url = model.get("admin_url")
    escaped_url = conditional_escape(admin_url) if admin_url else ""
    current = bool(admin_url) and admin_url in path
    parts = [
        f'\n          \n            <tr class="model-{name}{" current-model" if current else ""}">\n'
        f'              <th scope="row" id="{label}">\n                ',
    ]
    if admin_url:
        aria_current = ' aria-current="page"' if current else ""
        parts.append(
            f'\n                  <a href="{escaped_url}"{aria_current}>'
            f"{conditional_escape(model['name'])}</a>\n                "
        )
    else:
        parts.append(f"\n                  {conditional_escape(model['name'])}\n                ")
    parts.append("\n              </th>\n\n              ")
    if model.get("add_url"):
        parts.append(
            f'\n                <td><a href="{conditional_escape(model["add_url"])}" class="addlink" '
            f'aria-describedby="{label}">{gettext("Add")}</a></td>\n              '
        )
    else:
        parts.append("\n                <td></td>\n              ")
    parts.append("\n\n              ")
    if admin_url and show_changelinks:
        kind, text = ("viewlink", gettext("View")) if model.get("view_only") else ("changelink", gettext("Change"))
        parts.append(
            f'\n                \n                  <td><a href="{escaped_url}" class="{kind}" '
            f'aria-describedby="{label}">{text}</a></td>\n                \n              '
        )
    elif show_changelinks:
        parts.append("\n                <td></td>\n              ")
    parts.append("\n            </tr>\n          \n        ")
    return "".join(parts)


def _app_block(app: dict, path: str, show_changelinks: bool) -> str:
    app_label = conditional_escape(app["app_label"])
    app_url = app.get("app_url") or ""
    name = conditional_escape(app["name"])
    title = gettext("Models in the %(name)s application") % {"name": name}
    head = (
        f'\n    <div class="app-{app_label} module{" current-app" if app_url and app_url in path else ""}">\n'
        f"      <table>\n        <caption>\n"
        f'          <a href="{conditional_escape(app_url)}" class="section" title="{title}">{name}</a>\n'
        f'        </caption>\n        <thead class="visually-hidden">\n          <tr>\n'
        f'            <th scope="col">{gettext("Model name")}</th>\n'
        f'            <th scope="col">{gettext("Add link")}</th>\n'
        f'            <th scope="col">{gettext("Change or view list link")}</th>\n'
        f"          </tr>\n        </thead>\n        "
    )
    rows = "".join(_model_row(app_label, model, path, show_changelinks) for model in app["models"])
    return f"{head}{rows}\n      </table>\n    </div>\n  "


def app_list_html(app_list, show_changelinks, request) -> str:
    """What `admin/app_list.html` writes for this context, but for its last newline (the template's own)."""
    if not app_list:
        return f"\n\n\n  <p>{gettext('You don’t have permission to view or edit anything.')}</p>\n"
    # `request.path|urlencode`, as the template tests "is this the current app / model".
    path = quote(request.path, safe="/") if request is not None else ""
    blocks = "".join(_app_block(app, path, bool(show_changelinks)) for app in app_list)
    return f"\n\n\n  {blocks}\n"
