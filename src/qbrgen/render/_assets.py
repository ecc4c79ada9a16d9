"""Images a document may embed (logos): found on the template search path, else in the
workspace (never outside it)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qbrgen.render import RenderEnv

LOG = logging.getLogger("qbrgen.assets")
ASSETS_DIR = "assets"


def asset_path(env: RenderEnv, name: str | None) -> Path | None:
    """`name` on the template search path, else in the workspace's assets/ folder, else
    relative to the workspace; None (logged) when missing or outside the workspace."""
    if not name:
        return None
    found = env.theme.find(name)
    if found is not None:
        return found.path.resolve()
    root = env.workspace.root.resolve()
    for candidate in ((root / ASSETS_DIR / name).resolve(), (root / name).resolve()):
        if candidate.is_file() and candidate.is_relative_to(root):
            return candidate
    LOG.warning("image %r not found in the template folders or the workspace", name)
    return None
