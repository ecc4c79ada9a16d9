"""Renderers: one module per output format, found through the `RENDERERS` registry.

A renderer has two halves, so `qbrgen build` can run the second half in worker processes:

- `plan(run, selection) -> list[Job]` runs once in the parent. It decides which documents to
  make and packs into each `Job` only what rendering needs (the account, its KPIs, ...): plain
  picklable data, never the whole run.
- `render(job, env) -> dict[str, bytes]` runs anywhere (a worker, a Dask node). It returns the
  files to write, by path relative to the output folder; it writes nothing itself.

Renderers never write: every command hands the files to `qbrgen.build`, the one write path
(workspace lock, atomic writes, manifest, hand edits, stale files).

Adding a format is adding one module that calls `register(...)`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from qbrgen.config import LoadedWorkspace
from qbrgen.kpis.periods import Periods
from qbrgen.palette import Palette
from qbrgen.templates import Formatter, Theme

if TYPE_CHECKING:
    from qbrgen.loading import AccountSummary, SourcedAccount
    from qbrgen.run import Run


@dataclass
class Job:
    """One document (or a few files made together) to render."""

    kind: str
    """Renderer name: qbr, plan, scorecard, digest, kit."""
    key: str
    """What it is about: an account id, 'portfolio', or a kit name."""
    outputs: list[str]
    """Paths relative to the output folder that render() returns."""
    payload: dict[str, Any]
    """Picklable data the renderer needs (models, KPI objects, options)."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Hashes of what the document depends on (account, config, ...), for incremental builds."""
    templates: list[str] = field(default_factory=list)
    """Template names (on the search path) it uses; their content is hashed too."""
    account_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    """Warnings about its inputs found while planning (a build lists each once)."""
    module: str = ""
    """Module of the renderer (set by the build) so a fresh worker can import it."""


@dataclass
class RenderEnv:
    """What every render() call may use: rebuilt cheaply in each worker from picklable parts."""

    workspace: LoadedWorkspace
    periods: Periods
    version: str
    time: dt.datetime | None = None
    """The documents' timestamp, fixed in the parent (see `stamp`)."""

    @property
    def stamp(self) -> dt.datetime:
        """The one timestamp in every file (zip entries, core properties, PDF dates, font
        subsets): the as-of date, or SOURCE_DATE_EPOCH where the run's environment sets it.
        Fixed when the run starts, so workers anywhere (a Dask node) write the same bytes."""
        if self.time is None:
            from qbrgen.render._zip import document_time

            self.time = document_time(self.periods.as_of)
        return self.time

    @cached_property
    def theme(self) -> Theme:
        return Theme(self.workspace)

    @cached_property
    def formatter(self) -> Formatter:
        """Numbers, dates and words of the workspace's internal documents."""
        config = self.workspace.config
        return Formatter.for_config(config, self.language)

    language: str | None = None
    """The language of the document being made (None: the workspace's `language`)."""

    def for_language(self, language: str | None) -> RenderEnv:
        """This environment for a document in `language` (a customer's deck): same theme,
        a formatter speaking that language."""
        language = language or self.workspace.config.language
        if language == self.formatter.language:
            return self
        other = RenderEnv(
            self.workspace, self.periods, self.version, time=self.stamp, language=language
        )  # the same timestamp: a customer's deck in their language is as reproducible
        if "theme" in self.__dict__:
            other.__dict__["theme"] = self.theme
        return other

    @cached_property
    def palette(self) -> Palette:
        return Palette(self.workspace.config.branding.colours)

    @property
    def config(self) -> Any:
        return self.workspace.config

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("theme", None)  # Jinja environments are rebuilt, not pickled
        state.pop("formatter", None)
        state.pop("palette", None)
        return state


@dataclass(frozen=True)
class Selection:
    """Which accounts a command or build covers."""

    accounts: list[SourcedAccount]
    options: dict[str, Any] = field(default_factory=dict)
    summaries: list[AccountSummary] | None = None
    """A lean run's accounts instead (`Run.summaries`), for a renderer that takes them (the
    scorecard): each one's `LeanAccount` data made by that renderer's own step."""


@dataclass(frozen=True)
class Renderer:
    """A registered output format."""

    name: str
    description: str
    plan: Callable[[Run, Selection], list[Job]]
    render: Callable[[Job, RenderEnv], dict[str, bytes]]
    audience: str = "internal"
    """Who reads what it makes: "customer" (the QBR deck), "candidate" or "internal" (see
    render.audience: a customer document's context is built from the customer view)."""
    file_audiences: tuple[tuple[str | Callable[[str], bool], str], ...] = ()
    """(file name pattern or test of the name, audience) for outputs whose audience differs
    from the renderer's: a hiring kit is internal, but its job description (in any language)
    is the candidate's."""
    selection_for: Callable[[Run, str], Selection | None] | None = None
    """For documents made on request (one owner's digest, a kit outside `kits.build`): the
    selection that would make document `key` today, or None when nothing would. Without it,
    a key that is an account id or 'portfolio' is re-planned, anything else is stale."""

    def audience_of(self, path: str) -> str:
        """The audience of one output file."""
        from fnmatch import fnmatch

        name = path.rsplit("/", 1)[-1]
        for pattern, audience in self.file_audiences:
            if pattern(name) if callable(pattern) else fnmatch(name, pattern):
                return audience
        return self.audience

    @property
    def module(self) -> str:
        """The module that defines it: worker processes import it to find the renderer."""
        return self.render.__module__


RENDERERS: dict[str, Renderer] = {}
"""Renderer name -> Renderer, in build order."""

BUILTIN_MODULES = {
    "qbr": "qbrgen.render.pptx_deck",
    "brief": "qbrgen.render.pdf_brief",
    "plan": "qbrgen.render.pdf_plan",
    "scorecard": "qbrgen.render.xlsx_scorecard",
    "digest": "qbrgen.render.digest",
    "kit": "qbrgen.render.kits",
}
"""Built-in renderer name -> the module that registers it (imported only when needed)."""


def register(renderer: Renderer) -> Renderer:
    RENDERERS[renderer.name] = renderer
    return renderer


def load_renderers(names: list[str] | None = None) -> dict[str, Renderer]:
    """Import the built-in renderer modules (all, or those of `names`) that exist; each
    registers itself. Returns the registry in build order."""
    for name, module in BUILTIN_MODULES.items():
        if names and name not in names:
            continue
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    order = list(BUILTIN_MODULES)
    return dict(
        sorted(
            RENDERERS.items(),
            key=lambda item: order.index(item[0]) if item[0] in order else len(order),
        )
    )


def renderer_for(name: str, module: str | None = None) -> Renderer:
    """The renderer called `name`, importing its module first when given (in workers)."""
    if name not in RENDERERS:
        if module:
            importlib.import_module(module)
        load_renderers([name])
    return RENDERERS[name]


def render_env(run: Run) -> RenderEnv:
    from qbrgen.render._zip import document_time

    periods = run.report.periods
    return RenderEnv(run.workspace, periods, run.version, time=document_time(periods.as_of))
