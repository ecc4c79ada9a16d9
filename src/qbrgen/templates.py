"""The theme: a search path of template folders (workspace first, built-in last), one sandboxed
Jinja environment over it, and the locale-aware filters every template uses.

Like MkDocs' `custom_dir`, a workspace overrides any built-in file (Jinja, CSS, images, PPTX
masters, content YAML) by putting a file with the same relative name in its `templates/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, wraps
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from qbrgen.config import BUILTIN_THEME, LoadedWorkspace
from qbrgen.errors import TemplateError
from qbrgen.formatting import Formatter


@dataclass(frozen=True)
class TemplateFile:
    """A file the search path resolved: its relative name, where it is, which folder won."""

    name: str
    path: Path
    origin: str  # "workspace" or "built-in"


class Theme:
    """The template search path of one workspace."""

    def __init__(
        self, workspace: LoadedWorkspace | None = None, extra_dirs: list[Path] | None = None
    ):
        self.workspace = workspace
        dirs: list[tuple[Path, str]] = [(d, "extra") for d in (extra_dirs or [])]
        if workspace is not None and workspace.templates_dir.is_dir():
            dirs.append((workspace.templates_dir, "workspace"))
        dirs.append((BUILTIN_THEME, "built-in"))
        seen: set[Path] = set()
        self._overlays: dict[int, tuple[Formatter, jinja2.Environment]] = {}
        self.dirs: list[tuple[Path, str]] = []
        for folder, origin in dirs:
            real = folder.resolve()
            if real in seen:  # the repository's own templates/ *is* the built-in theme
                continue
            seen.add(real)
            self.dirs.append((real, origin if real != BUILTIN_THEME.resolve() else "built-in"))

    @property
    def folders(self) -> list[Path]:
        return [d for d, _ in self.dirs]

    def find(self, name: str) -> TemplateFile | None:
        """The first file named `name` (relative, '/'-separated) on the search path."""
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts:
            return None
        for folder, origin in self.dirs:
            candidate = folder / rel
            if candidate.is_file():
                return TemplateFile(name, candidate, origin)
        return None

    def require(self, name: str) -> TemplateFile:
        found = self.find(name)
        if found is None:
            where = ", ".join(str(d) for d in self.folders)
            raise TemplateError(f"template '{name}' not found in {where}")
        return found

    def files(self) -> Iterator[TemplateFile]:
        """Every file on the search path once, the winning copy of each name."""
        names: dict[str, TemplateFile] = {}
        for folder, origin in self.dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    rel = path.relative_to(folder).as_posix()
                    names.setdefault(rel, TemplateFile(rel, path, origin))
        yield from sorted(names.values(), key=lambda f: f.name)

    def digest(self, names: list[str]) -> str:
        """Hash of the winning copies of `names` (for provenance and incremental builds)."""
        sha = hashlib.sha256()
        for name in sorted(names):
            found = self.find(name)
            sha.update(name.encode())
            sha.update(found.path.read_bytes() if found else b"<missing>")
        return sha.hexdigest()[:16]

    @cached_property
    def env(self) -> jinja2.Environment:
        """The sandboxed environment: StrictUndefined, autoescape for HTML/XML templates."""
        env = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.folders]),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(["html", "htm", "xml", "svg", "j2.html"]),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
        return env

    def overlay(self, formatter: Formatter) -> jinja2.Environment:
        """The environment with `formatter`'s filters, `fmt` and language, made once per
        formatter: an overlay has a template cache of its own, so a new one per render
        compiled every template again (a fifth of a second per account plan)."""
        cached = self._overlays.get(id(formatter))
        if cached is not None and cached[0] is formatter:
            return cached[1]
        env = self.env.overlay()
        use_language(env, formatter)
        if len(self._overlays) >= 8:  # a long-lived process with many formatters
            self._overlays.clear()
        self._overlays[id(formatter)] = (formatter, env)
        return env

    def render(self, name: str, context: dict[str, Any], formatter: Formatter | None = None) -> str:
        """Render template `name`; errors name the template file and line."""
        env = self.env if formatter is None else self.overlay(formatter)
        try:
            template = env.get_template(name)
            return template.render(context)
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(
                f"template '{exc.name}' not found in {', '.join(map(str, self.folders))}"
                + _included_from(template_chain(exc, self.folders))
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            where = f"{exc.name or exc.filename}:{exc.lineno}"
            chain = [c for c in template_chain(exc, self.folders) if c != where]
            raise TemplateError(
                f"{where}: template syntax error: {exc.message}" + _included_from(chain)
            ) from exc
        except jinja2.exceptions.SecurityError as exc:
            chain = template_chain(exc, self.folders) or [name]
            raise TemplateError(
                f"{chain[-1]}: not allowed in a template: {exc}" + _included_from(chain[:-1])
            ) from exc
        except jinja2.UndefinedError as exc:
            chain = template_chain(exc, self.folders) or [name]
            raise TemplateError(f"{chain[-1]}: {exc.message}" + _included_from(chain[:-1])) from exc


def use_language(env: jinja2.Environment, formatter: Formatter) -> None:
    """Give an (overlay) environment the formatter's filters and its language's catalog:
    `{% trans %}`, `_()` and `ngettext()` in templates translate through it."""
    env.filters.update(template_filters(formatter))
    env.globals.update(fmt=formatter)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        formatter.translate,
        formatter.translate_plural,
        newstyle=True,
        pgettext=formatter.translate_context,
    )


def template_filters(formatter: Formatter) -> dict[str, Callable[..., Any]]:
    """The formatter's filters for Jinja. A value that does not exist fails with Jinja's own
    message (`'dict object' has no attribute 'nrr'`), which names what is missing, instead of
    the conversion error the formatter would raise on it (`StrictUndefined to Decimal`)."""
    return {name: strict_filter(one) for name, one in formatter.filters().items()}


def strict_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` as a filter that refuses an undefined value with Jinja's undefined error."""

    @wraps(function)
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()
        return function(value, *args, **kwargs)

    return checked


def template_chain(exc: BaseException, folders: list[Path] | None = None) -> list[str]:
    """['plan/plan.html:12', 'plan/risks.html:3']: the template frames of an error's
    traceback, outermost first (the template that included, extended or imported the next),
    one entry per template visited (its innermost line). Names are relative to the first of
    `folders` that holds the file."""
    chain: list[tuple[str, int]] = []
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        template = frame.f_globals.get("__jinja_template__")
        filename = frame.f_code.co_filename
        if template is not None or (filename and not filename.endswith(".py")):
            line = template.get_corresponding_lineno(tb.tb_lineno) if template else tb.tb_lineno
            label = _template_name(filename, folders or [])
            if chain and chain[-1][0] == label:
                chain[-1] = (label, line)  # a block or macro of the same template
            else:
                chain.append((label, line))
        tb = tb.tb_next
    return [f"{label}:{line}" for label, line in chain]


def _template_name(filename: str, folders: list[Path]) -> str:
    path = Path(filename)
    for folder in folders:
        if path.is_relative_to(folder):
            return path.relative_to(folder).as_posix()
    return path.name


def _included_from(chain: list[str]) -> str:
    """' (included from a.html:3, included from b.html:9)': innermost includer first."""
    if not chain:
        return ""
    return " (" + ", ".join(f"included from {where}" for where in reversed(chain)) + ")"


def builtin_names() -> list[str]:
    """Every file of the built-in theme, by relative '/'-separated name."""
    return sorted(
        path.relative_to(BUILTIN_THEME).as_posix()
        for path in BUILTIN_THEME.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")
    )


def copy_builtin(
    name: str, target: Path, force: bool = False, show: Callable[[Path], str] = str
) -> list[tuple[str, Path]]:
    """Copy the built-in template `name` (a file, or a folder such as 'plan') to `target`
    (a file, or for a folder the folder to copy into); returns (name, path) per file written.

    Nothing is written when any target file exists (unless `force`), so a copy you edited is
    never replaced by accident.
    """
    from qbrgen.errors import UsageError
    from qbrgen.output import atomic_write

    clean = name.strip().strip("/")
    names = builtin_names()
    if clean in names:
        plan = [(clean, target)]
    else:
        inside = [n for n in names if n.startswith(clean + "/")]
        if not clean or not inside:
            import difflib

            folders = sorted({n.split("/")[0] for n in names})
            close = difflib.get_close_matches(clean, names + folders, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise UsageError(
                f"no built-in template '{name}'{hint} (`qbrgen templates` lists them; "
                f"folders: {', '.join(folders)})"
            )
        plan = [(n, target / n[len(clean) + 1 :]) for n in inside]
    builtin = BUILTIN_THEME.resolve()
    for item, path in plan:
        if path.resolve() == (builtin / item):
            raise UsageError(
                f"{show(path)} is the built-in template itself (this workspace's templates/ is the "
                "built-in theme); edit it in place"
            )
    existing = [show(path) for _, path in plan if path.exists()]
    if existing and not force:
        shown = ", ".join(existing[:3]) + (
            f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        )
        raise UsageError(
            f"not replacing {shown}: a copy is already there (maybe edited); delete it, or use "
            "--force to replace it with the built-in one"
        )
    for item, path in plan:
        atomic_write(path, (BUILTIN_THEME / item).read_bytes())
    return plan
