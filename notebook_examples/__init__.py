"""The example report notebooks, installed as ``ocx_reports.examples``."""

# From the checkout root this folder is also importable by its own name, as a second copy
# of the package with classes of its own; only one name is allowed.
if __name__ != "ocx_reports.examples":
    raise ImportError(f"{__name__}/ is the source of ocx_reports.examples: import ocx_reports.examples")
