"""`qbrgen init`: copy a starter workspace (commented qbrgen.yaml, two example accounts and a
templates/ folder with a README on overriding the built-in theme) into a new folder."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from qbrgen.config import CONFIG_FILE
from qbrgen.errors import UsageError

SCAFFOLD_PACKAGE = "qbrgen.scaffold"
FILES_DIR = "files"


def scaffold_files() -> list[tuple[str, bytes]]:
    """Every file of the starter workspace as (relative '/'-separated path, content), sorted
    with qbrgen.yaml first so the listing `qbrgen init` prints reads top-down."""
    root = files(SCAFFOLD_PACKAGE).joinpath(FILES_DIR)
    found: list[tuple[str, bytes]] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            name = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, name + "/")
            elif child.is_file() and not child.name.startswith("."):
                found.append((name, child.read_bytes()))

    walk(root, "")
    return sorted(found, key=lambda item: (item[0] != CONFIG_FILE, item[0].count("/"), item[0]))


def create_workspace(directory: Path | str) -> list[Path]:
    """Create a new workspace in `directory` (made if missing) and return the files written.

    Refuses with a UsageError when the folder already holds a qbrgen.yaml, and never
    overwrites an existing file: a half-set-up folder is reported, not clobbered.
    """
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder; choose a folder for the workspace")
    if (target / CONFIG_FILE).exists():
        raise UsageError(
            f"{target / CONFIG_FILE} already exists: {target} is already a workspace "
            "(run `qbrgen validate` there, or choose another folder)"
        )
    plan = [(target / Path(*name.split("/")), content) for name, content in scaffold_files()]
    clashes = [path for path, _ in plan if path.exists()]
    if clashes:
        listed = ", ".join(str(p) for p in clashes)
        raise UsageError(
            f"not overwriting existing file(s): {listed}; move them or choose another folder"
        )
    created: list[Path] = []
    for path, content in plan:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        created.append(path)
    return created


def next_steps(directory: Path | str) -> str:
    """What to type after `qbrgen init DIRECTORY`: the three commands of a first session."""
    import shlex

    return (
        "\nNext, in the new workspace:\n"
        f"  cd {shlex.quote(str(directory))}\n"
        "  qbrgen validate    # check the two example accounts (then add yours to accounts/)\n"
        "  qbrgen kpis        # their numbers: retention, renewals, health\n"
        "  qbrgen build       # decks, plans, scorecard and digest in output/\n"
    )
