"""Local number and date formats that override Django's defaults for the registry's languages."""
