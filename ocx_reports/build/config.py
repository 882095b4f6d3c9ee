"""Read and validate a build's TOML file.

Every mistake is found before any report starts, and the message names the
file, the entry and the key (``reports.toml: [[report]] 2 ("qc"): formats:
"docx" is not one of "pdf", "html", "ipynb"``), because a nightly job that
fails at report 312 for a typo in the file wastes a night.

Relative paths are relative to the TOML file's directory, so the same file
works whatever directory CI runs it from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import tomllib

from ..exporters.errors import ReportError

FORMATS = ("pdf", "html", "ipynb")
EXPORTER_FORMATS = ("html", "pdf")  # the formats an exporter makes, and so that take options
PLACEHOLDERS = ("name", "project_name", "project_id", "date", "ext")
DEFAULT_OUTPUT = "reports/{name}.{ext}"
DEFAULT_MANIFEST = ".ocx-reports-manifest.json"

# Keys that may appear in [defaults], [[report]] and [[each_project]] alike.
COMMON_KEYS = (
    "notebook", "formats", "output", "parameters", "options", "kernel", "timeout", "workdir", "kernel_credentials"
)
REPORT_KEYS = ("name", "project", "samples")
EACH_PROJECT_KEYS = ("name", "all", "ids", "ids_file", "name_contains")
BUILD_KEYS = ("manifest",)


class ConfigError(ReportError):
    """The build file is wrong; the CLI exits with status 2 for it."""

    exit_status = 2


@dataclass
class Settings:
    """How to make one report: what [defaults] gives, and each entry may override."""

    notebook: Path | None = None
    formats: tuple[str, ...] = ("pdf",)
    output: str = DEFAULT_OUTPUT
    parameters: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    kernel: str = "python3"
    timeout: int = 600
    workdir: Path | None = None
    kernel_credentials: bool = True


@dataclass
class ReportEntry:
    """A ``[[report]]``: one named report about a project or a list of samples."""

    where: str
    name: str
    settings: Settings
    project: str | None = None
    samples: tuple[str, ...] = ()


@dataclass
class EachProjectEntry:
    """An ``[[each_project]]``: one report per project the query selects."""

    where: str
    name: str
    settings: Settings
    all: bool = False
    ids: tuple[str, ...] | None = None
    name_contains: str | None = None


@dataclass
class BuildConfig:
    path: Path
    manifest: Path
    entries: list = field(default_factory=list)


def load(path: Path) -> BuildConfig:
    """The validated build described by the TOML file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such build file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the build file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse(data, path)


def parse(data: dict, path: Path) -> BuildConfig:
    base = path.resolve().parent
    check = _Checker(path)
    check.only(data, "", ("build", "defaults", "report", "each_project"))
    build = check.table(data, "build")
    check.only(build, "[build]", BUILD_KEYS)
    manifest = base / check.string(build, "[build]", "manifest", DEFAULT_MANIFEST)

    defaults_table = check.table(data, "defaults")
    check.only(defaults_table, "[defaults]", COMMON_KEYS)
    defaults = _settings(check, defaults_table, "[defaults]", Settings(), base)

    entries = []
    for index, table in enumerate(check.array_of_tables(data, "report"), start=1):
        name = table.get("name")
        where = f"[[report]] {index}" + (f" ({name!r})" if isinstance(name, str) else "")
        check.only(table, where, COMMON_KEYS + REPORT_KEYS)
        entries.append(_report(check, table, where, defaults, base))
    for index, table in enumerate(check.array_of_tables(data, "each_project"), start=1):
        where = f"[[each_project]] {index}"
        check.only(table, where, COMMON_KEYS + EACH_PROJECT_KEYS)
        entries.append(_each_project(check, table, where, defaults, base))
    if not entries:
        raise ConfigError(f"{path}: no reports: add a [[report]] or an [[each_project]] table")
    names = [entry.name for entry in entries if isinstance(entry, ReportEntry)]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(
                f"{path}: two [[report]] tables are named {name!r}: report names must be unique"
            )
    return BuildConfig(path=path, manifest=manifest, entries=entries)


def _report(check, table, where, defaults, base) -> ReportEntry:
    name = check.string(table, where, "name")
    if name is None:
        raise check.error(where, "name", "is missing: every [[report]] needs a name")
    _check_name(check, where, name)
    project = check.string(table, where, "project")
    samples = check.string_list(table, where, "samples")
    if project and samples:
        raise check.error(where, "samples", "cannot be given together with project: choose one")
    settings = _finish(check, where, _settings(check, table, where, defaults, base))
    return ReportEntry(where, name, settings, project=project, samples=tuple(samples or ()))


def _each_project(check, table, where, defaults, base) -> EachProjectEntry:
    name = check.string(table, where, "name", "{project_name}")
    _check_name(check, where, name, placeholders=("project_name", "project_id"))
    select_all = table.get("all", False)
    if not isinstance(select_all, bool):
        raise check.error(where, "all", f"must be true or false, not {select_all!r}")
    ids = check.string_list(table, where, "ids")
    ids_file = check.string(table, where, "ids_file")
    chosen = [
        key for key, given in (("all", select_all), ("ids", ids is not None), ("ids_file", ids_file)) if given
    ]
    if len(chosen) != 1:
        raise ConfigError(
            f'{check.path}: {where}: give exactly one of all = true, ids = [...] or ids_file = "..."'
            + (f" (found {', '.join(chosen)})" if chosen else "")
        )
    if ids_file:
        ids = _read_ids(check, where, base / ids_file)
    settings = _finish(check, where, _settings(check, table, where, defaults, base))
    return EachProjectEntry(
        where,
        name,
        settings,
        all=select_all,
        ids=tuple(ids) if ids is not None else None,
        name_contains=check.string(table, where, "name_contains"),
    )


def _settings(check, table, where, inherited: Settings, base: Path) -> Settings:
    notebook = check.string(table, where, "notebook")
    formats = check.string_list(table, where, "formats")
    if formats is not None:
        if not formats:
            raise check.error(where, "formats", "is empty: list at least one of " + _quoted(FORMATS))
        for fmt in formats:
            if fmt not in FORMATS:
                raise check.error(where, "formats", f"{fmt!r} is not one of {_quoted(FORMATS)}")
    output = check.string(table, where, "output")
    if output is not None:
        _check_template(check, where, "output", output, PLACEHOLDERS)
    parameters = check.table(table, "parameters", where)
    for key in parameters:
        if not key.isidentifier():
            raise check.error(where, f"parameters.{key}", "is not a Python variable name")
    options = check.table(table, "options", where)
    _check_options(check, where, options)
    timeout = table.get("timeout", inherited.timeout)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        raise check.error(where, "timeout", f"must be a whole number of seconds above 0, not {timeout!r}")
    workdir = check.string(table, where, "workdir")
    credentials = table.get("kernel_credentials", inherited.kernel_credentials)
    if not isinstance(credentials, bool):
        raise check.error(where, "kernel_credentials", f"must be true or false, not {credentials!r}")
    return Settings(
        notebook=base / notebook if notebook else inherited.notebook,
        formats=tuple(formats) if formats else inherited.formats,
        output=output or inherited.output,
        parameters={**inherited.parameters, **parameters},
        options={**inherited.options, **options},
        kernel=check.string(table, where, "kernel") or inherited.kernel,
        timeout=timeout,
        workdir=base / workdir if workdir else inherited.workdir,
        kernel_credentials=credentials,
    )


def _finish(check, where, settings: Settings) -> Settings:
    """Checks that need the merged settings: the notebook must be named somewhere, and exist."""
    if settings.notebook is None:
        raise check.error(where, "notebook", "is missing: set it here or in [defaults]")
    if not settings.notebook.is_file():
        raise check.error(where, "notebook", f"{settings.notebook} does not exist")
    return settings


def _check_options(check, where, options: dict) -> None:
    """Exporter options are the exporters' own traits, checked by the exporters themselves.

    A key must be a trait of the HTML or the PDF exporter (the build sets
    project and samples itself); its value is set on each exporter that has
    it, so a bad value fails here, naming the key, and not in every report.
    An option only one format has (``max_table_rows``) applies where it exists.
    """
    allowed = set().union(*(_traits(fmt) for fmt in EXPORTER_FORMATS)) - {"project", "samples"}
    for key, value in options.items():
        if key not in allowed:
            raise check.error(
                where,
                f"options.{key}",
                "is not an option of the One Codex exporters (see --help-all of "
                "jupyter nbconvert --to onecodex_pdf for the list)",
            )
        try:
            encoded = json.dumps(value, sort_keys=True)
        except TypeError:
            raise check.error(
                where, f"options.{key}", f"must be a string, number, boolean, list or table, not {value!r}"
            ) from None
        problem = next(filter(None, (_rejected(fmt, key, encoded) for fmt in EXPORTER_FORMATS)), None)
        if problem:
            raise check.error(where, f"options.{key}", problem)


def exporter_options(fmt: str, options: dict) -> dict:
    """The options that ``fmt``'s exporter has (the others are for the report's other formats)."""
    return {key: value for key, value in options.items() if key in _traits(fmt)}


@lru_cache(maxsize=None)
def _traits(fmt: str) -> frozenset:
    """``fmt``'s exporter's options (none for an executed notebook)."""
    from ..render import exporter_class

    if fmt not in EXPORTER_FORMATS:
        return frozenset()
    return frozenset(exporter_class(fmt).class_trait_names(config=True))


@lru_cache(maxsize=None)
def _rejected(fmt: str, key: str, encoded: str) -> str | None:
    """Why ``fmt``'s exporter refuses ``key`` = the JSON ``encoded`` value (None: it takes it, or has
    no such option)."""
    from ..exporters.errors import OptionError
    from ..render import exporter_class

    if key not in _traits(fmt):
        return None
    try:
        exporter_class(fmt)(**{key: json.loads(encoded)})
    except OptionError as exc:
        return exc.problem  # "expected any of ['letter', 'a4'], not the str 'a5'"
    return None


def _check_name(check, where, name: str, placeholders=()) -> None:
    _check_template(check, where, "name", name, placeholders)
    if not name.strip() or "/" in name or "\\" in name:
        raise check.error(where, "name", f"{name!r} must be non-empty and contain no slash")


def _check_template(check, where, key, value, placeholders) -> None:
    import string

    try:
        fields = [fname for _, fname, _, _ in string.Formatter().parse(value) if fname is not None]
    except ValueError as exc:
        raise check.error(where, key, f"{value!r} is not a valid template ({exc})") from None
    for fname in fields:
        if fname not in placeholders:
            known = ", ".join("{" + p + "}" for p in placeholders) or "none"
            raise check.error(where, key, f"unknown placeholder {{{fname}}} in {value!r} (known: {known})")


def _read_ids(check, where, path: Path) -> list[str]:
    """Project IDs from a text file: one per line, blank lines and ``#`` comments ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise check.error(where, "ids_file", f"cannot read {path} ({exc.strerror})") from None
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _quoted(values) -> str:
    return ", ".join(f'"{v}"' for v in values)


class _Checker:
    """Type checks that produce messages naming the file, the entry and the key."""

    def __init__(self, path: Path):
        self.path = path

    def error(self, where, key, problem) -> ConfigError:
        prefix = f"{where}: " if where else ""
        return ConfigError(f"{self.path}: {prefix}{key}: {problem}")

    def only(self, table, where, allowed) -> None:
        for key in table:
            if key not in allowed:
                raise self.error(where, key, f"unknown key (known: {', '.join(allowed)})")

    def table(self, data, key, where="") -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(where, key, f"must be a table, not {type(value).__name__}")
        return value

    def array_of_tables(self, data, key) -> list:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.error("", key, f"must be written [[{key}]] (an array of tables)")
        return value

    def string(self, table, where, key, default=None):
        value = table.get(key, default)
        if value is not None and (not isinstance(value, str) or not value):
            raise self.error(where, key, f"must be a non-empty string, not {value!r}")
        return value

    def string_list(self, table, where, key):
        value = table.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise self.error(where, key, f"must be a list of strings, not {value!r}")
        return value
