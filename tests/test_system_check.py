"""The system libraries qbrgen needs: HarfBuzz-subset is a requirement (make fails without it,
saying what to install), and a build says when PDFs fall back to fontTools."""

from __future__ import annotations

import ctypes.util
from pathlib import Path

import pytest

from qbrgen import system_check
from qbrgen.build import BuildOptions, build
from qbrgen.build.progress import Reporter
from qbrgen.demo import write_workspace
from qbrgen.run import open_run


def test_this_machine_has_what_qbrgen_needs(capsys: pytest.CaptureFixture[str]) -> None:
    assert system_check.harfbuzz_subset_problem() is None
    assert system_check.main() == 0
    assert "harfbuzz" not in capsys.readouterr().err.lower()


def test_missing_harfbuzz_subset_fails_with_the_install_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = ctypes.util.find_library
    monkeypatch.setattr(
        ctypes.util, "find_library", lambda name: None if "subset" in name else real(name)
    )
    assert system_check.harfbuzz_subset_problem() == "libharfbuzz-subset not found"
    assert system_check.main() == 1
    err = capsys.readouterr().err
    assert "missing system library" in err
    for command in (
        "apt-get install libharfbuzz-subset0",
        "dnf install harfbuzz",
        "brew install harfbuzz",
    ):
        assert command in err


def test_a_build_warns_when_pdfs_fall_back_to_fonttools(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_workspace(tmp_path, 3, seed=5)
    quiet = Reporter(quiet=True)
    summary = build(open_run(tmp_path), BuildOptions(only=["digest"], jobs=1), quiet)
    assert summary.exit_code == 0 and summary.warnings == []
    monkeypatch.setattr(system_check, "harfbuzz_subset_problem", lambda: "HarfBuzz older than 4.1")
    summary = build(open_run(tmp_path), BuildOptions(only=["digest"], jobs=1, force=True), quiet)
    (warning,) = summary.warnings
    assert warning.startswith("HarfBuzz older than 4.1: ")
    assert "apt-get install libharfbuzz-subset0" in warning
    assert summary.to_json()["warnings"] == [warning]
    # nothing to render as PDF: nothing to warn about
    summary = build(open_run(tmp_path), BuildOptions(only=["scorecard"], jobs=1), quiet)
    assert summary.warnings == []
