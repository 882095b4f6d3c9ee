"""Turn a validated build file into concrete jobs, one per report.

``[[report]]`` tables map one to one. ``[[each_project]]`` tables become one
job per project the query selects, from a single listing of the account's
projects, so 500 projects cost a few paged requests here, not 500.

A job holds only plain, picklable data (it travels to a worker process or a
Dask cluster) and never a credential: workers find their own, as the kernel
and every other One Codex tool does.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from .config import BuildConfig, ConfigError, EachProjectEntry, ReportEntry, Settings

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to make one report."""

    name: str
    notebook: Path
    #: {format: absolute output path}, where {project_name} and {project_id}
    #: are still to be filled in by the worker, which fetches the project.
    outputs: dict[str, str]
    parameters: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    kernel: str = "python3"
    timeout: int = 600
    workdir: Path | None = None
    project: str | None = None
    samples: tuple[str, ...] = ()
    #: Whether the notebook's kernel gets the One Codex credentials (its code can read them).
    kernel_credentials: bool = True

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self.outputs)

    def output_paths(self, project: dict | None) -> dict[str, Path]:
        """Where each format goes, now that the project (or its absence) is known."""
        project_id = project["id"] if project else "none"
        return {
            fmt: Path(template.format(project_name=path_name(project), project_id=project_id))
            for fmt, template in self.outputs.items()
        }


def escape(text: str) -> str:
    """``text`` as literal text inside a ``str.format`` template."""
    return text.replace("{", "{{").replace("}", "}}")


def output_templates(output: str, formats, *, root: Path, name: str, date: str) -> dict[str, str]:
    """``{format: template}`` with ``{name}``, ``{date}`` and ``{ext}`` filled in; project fields left."""

    class Later(dict):
        def __missing__(self, key):
            return "{" + key + "}"

    templates = {}
    for fmt in formats:
        filled = output.format_map(Later(name=escape(name), date=date, ext=fmt))
        templates[fmt] = escape(str(root)) + "/" + filled if not Path(output).is_absolute() else filled
    return templates


def path_name(project: dict | None) -> str:
    """``{project_name}``: the project's short name (``gut-cohort-24``), else its name, made file-safe."""
    if not project:
        return "no-project"
    name = project.get("project_name") or project.get("name") or project["id"]
    return _UNSAFE.sub("-", name).strip("-.") or project["id"]


def build_date() -> str:
    """``{date}``: one date for the whole build (even across midnight), from SOURCE_DATE_EPOCH if set."""
    from ..exporters.html import source_date

    moment = source_date() or datetime.datetime.now()
    return moment.date().isoformat()


def plan(
    config: BuildConfig, *, api_factory, date: str | None = None, only: list[str] | None = None
) -> list[Job]:
    """The jobs of ``config``; ``api_factory()`` is called only if a query needs the API.

    ``only`` keeps the reports with those names (``--report``), after expansion.
    """
    date = date or build_date()
    root = config.path.resolve().parent
    projects = None
    jobs = []
    for entry in config.entries:
        if isinstance(entry, ReportEntry):
            jobs.append(_job(entry.name, entry.settings, root, date, entry.project, entry.samples))
            continue
        if projects is None:
            with api_factory() as api:
                projects = {p.id: p for p in api.Projects.where()}
        for project_id, project in _select(entry, projects):
            known = project and {
                "id": project_id,
                "name": getattr(project, "name", None),
                "project_name": getattr(project, "project_name", None),
            }
            name = entry.name.format(
                project_name=path_name(known) if known else project_id, project_id=project_id
            )
            jobs.append(_job(name, entry.settings, root, date, project_id, ()))
    _check_unique(config, jobs)
    if only:
        unknown = sorted(set(only) - {job.name for job in jobs})
        if unknown:
            raise ConfigError(f"{config.path}: no report named {', '.join(map(repr, unknown))}")
        jobs = [job for job in jobs if job.name in only]
    return jobs


def _select(entry: EachProjectEntry, projects: dict):
    """(id, project or None) pairs the entry selects; listed IDs the account lacks come with None.

    Unknown IDs are kept so that their report fails visibly ("project ... not
    found") instead of silently disappearing from a nightly build.
    """
    if entry.all:
        chosen = [(pid, project) for pid, project in projects.items()]
    else:
        chosen = [(pid.lower(), projects.get(pid.lower())) for pid in dict.fromkeys(entry.ids)]
    if entry.name_contains:
        needle = entry.name_contains.lower()
        chosen = [
            (pid, p)
            for pid, p in chosen
            if p is None
            or any(needle in (getattr(p, f, None) or "").lower() for f in ("name", "project_name"))
        ]
    return chosen


def _job(name: str, settings: Settings, root: Path, date: str, project, samples) -> Job:
    return Job(
        name=name,
        notebook=settings.notebook,
        outputs=output_templates(settings.output, settings.formats, root=root, name=name, date=date),
        parameters=dict(settings.parameters),
        options=dict(settings.options),
        kernel=settings.kernel,
        timeout=settings.timeout,
        workdir=settings.workdir,
        project=project,
        samples=tuple(samples),
        kernel_credentials=settings.kernel_credentials,
    )


def _check_unique(config: BuildConfig, jobs: list[Job]) -> None:
    seen = set()
    for job in jobs:
        if job.name in seen:
            raise ConfigError(
                f"{config.path}: two reports are named {job.name!r}: give [[each_project]] a name "
                "template with {project_name} or {project_id} that does not clash with a [[report]]"
            )
        seen.add(job.name)
