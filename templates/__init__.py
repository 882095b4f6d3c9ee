"""The report templates (nbconvert template directories), installed as ``ocx_reports.templates``."""

# From the checkout root this folder is also importable by its own name, as a second copy
# of the package with classes of its own; only one name is allowed.
if __name__ != "ocx_reports.templates":
    raise ImportError(f"{__name__}/ is the source of ocx_reports.templates: import ocx_reports.templates")
