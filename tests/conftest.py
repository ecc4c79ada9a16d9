"""Shared fixtures: the sample workspace, small fixture workspaces, and external tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = bool(os.environ.get("CI"))


def require_tool(name: str) -> str:
    """Path of an external tool. Missing: skip on a developer machine, fail in CI (where
    .ci/run installs it), so a round-trip test can never be silently skipped there."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is not installed; .ci/run must install it")
        pytest.skip(f"{name} not installed")
    return path


@pytest.fixture
def sample_workspace(tmp_path: Path) -> Path:
    """A private copy of the repository's sample workspace (qbrgen.yaml + accounts/)."""
    dest = tmp_path / "ws"
    dest.mkdir()
    shutil.copy(ROOT / "qbrgen.yaml", dest / "qbrgen.yaml")
    shutil.copytree(ROOT / "accounts", dest / "accounts")
    return dest


def run_cli(
    *args: str, cwd: Path | None = None, check: bool = False, columns: int = 200
) -> subprocess.CompletedProcess[str]:
    """Run the real `qbrgen` entry point in a subprocess (output piped, `columns` wide)."""
    exe = Path(sys.executable).parent / "qbrgen"
    result = subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": str(columns)},
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"qbrgen {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def soffice_convert(path: Path, outdir: Path, fmt: str = "pdf", expect: str | None = None) -> Path:
    """Convert an office file with LibreOffice headless; returns the converted file (`expect`:
    its name, when the filter names it otherwise, e.g. one CSV per sheet)."""
    soffice = require_tool("soffice")
    profile = outdir / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = outdir / (expect or path.stem + "." + fmt)
    assert result.returncode == 0 and out.exists(), (
        f"LibreOffice failed on {path}: {result.stdout}{result.stderr}"
    )
    return out
