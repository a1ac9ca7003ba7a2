"""OpenAPI schema post-processing: what drf-spectacular cannot know when the views are declared."""

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
