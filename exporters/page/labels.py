"""Column headers for the tables the report draws itself (the Samples section), made readable
from the metadata's field names: ``bmi`` prints as "BMI", ``antibiotics_last_90d`` as
"Antibiotics last 90d", ``subjectAge`` as "Subject age", ``HbA1c`` as "HbA1c".

The exporter's ``field_labels`` option names a field's header outright, and wins; else the
built-in headers of One Codex's own fields; else the name's words (split at ``_``, ``-``,
``.``, spaces and camelCase humps), the first capitalised if it is in lower case, the
``ACRONYMS`` in their own spelling, a capitalised word in lower case, and any other word (all
capitals, or mixed case) as written. Notebooks' own tables (DataFrames, Styler tables) keep
their headers as written.
"""

from __future__ import annotations

import re

#: Words that print in their own spelling wherever they appear in a field name.
ACRONYMS = {
    word.lower(): word
    for word in (
        "ASV", "BMI", "CRP", "DNA", "GC", "HIV", "IBD", "ID", "MGD", "OTU", "PCR", "pH", "QC", "RNA", "SARS",
        "URL", "UUID",
    )
}
#: Headers of the fields One Codex itself has, as the Samples section prints them.
BUILT_IN = {
    "name": "Name",
    "external_sample_id": "External ID",
    "date_collected": "Collected",
    "platform": "Platform",
    "sample_type": "Sample type",
    "tags": "Tags",
}
#: Where a field name's words part: separators, and camelCase humps (``subject|Age``, not ``p|H``).
_BOUNDARY = re.compile(r"[\s_.\-]+|(?<=[a-z0-9])(?=[A-Z][a-z])")


def field_label(name: str, overrides: dict[str, str] | None = None) -> str:
    """The header ``name``'s column prints under (``overrides``: the ``field_labels`` option)."""
    if overrides and name in overrides:
        return overrides[name]
    if name in BUILT_IN:
        return BUILT_IN[name]
    words = [word for word in _BOUNDARY.split(name) if word]
    if not words:
        return name
    shown = [ACRONYMS.get(word.lower()) or (word.lower() if word == word.capitalize() else word) for word in words]
    if shown[0].islower():
        shown[0] = shown[0][:1].upper() + shown[0][1:]
    return " ".join(shown)
