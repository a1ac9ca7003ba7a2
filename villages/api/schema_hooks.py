"""OpenAPI schema post-processing: what drf-spectacular cannot know when the views are declared."""

from django.utils.translation import gettext_lazy as _

from villages.exports.formats import FORMATS
from villages.exports.sources import EXPORT_SOURCES
from villages.imports import IMPORT_KINDS

FILE_PATHS = ("/api/v1/exports/{list_name}.{extension}", "/api/v1/imports/templates/{kind}.{extension}")


def file_path_enums(result, generator, request, public):
    """List the lists, import kinds and formats that the file download paths accept.

    The registries fill up as the apps become ready (the service network adds its own), after these views
    are declared, so the values are read when the schema is generated.
    """
    values = {"list_name": list(EXPORT_SOURCES), "kind": list(IMPORT_KINDS), "extension": list(FORMATS)}
    for path in FILE_PATHS:
        operation = result.get("paths", {}).get(path, {}).get("get")
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "path" and parameter.get("name") in values:
                parameter["schema"] = {**parameter.get("schema", {}), "enum": values[parameter["name"]]}
    return result


# The views declare their tags as stable English names; the schema shows them in the request's language.
TAG_LABELS = {
    "root": _("API root"),
    "auth": _("authentication"),
    "divisions": _("divisions"),
    "villages": _("villages"),
    "shops": _("online shops"),
    "reports": _("annual reports"),
    "certification": _("certification"),
    "service network": _("service network"),
    "imports": _("imports"),
    "exports": _("exports"),
    "open data": _("open data"),
    "feed": _("platform data feed"),
    "inbox": _("inbox"),
}


def texts_in_request_language(result, generator, request, public):
    """Tags, title and description in the language of the request, like the summaries (lazy texts) already are.

    Swagger UI groups operations by tag and shows each summary beside its path: both in one language.
    """
    result["info"]["title"] = str(_("Taobao Village Registry API"))
    result["info"]["description"] = str(_("JSON API v1 of the Taobao Village Registry."))
    used = []
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "tags" not in operation:
                continue
            operation["tags"] = [str(TAG_LABELS.get(tag, tag)) for tag in operation["tags"]]
            used.extend(tag for tag in operation["tags"] if tag not in used)
    result["tags"] = [{"name": tag} for tag in used]
    return result
