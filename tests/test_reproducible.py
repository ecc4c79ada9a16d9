"""The same inputs give the same bytes: every document type rendered twice in separate
processes (different time zones, seconds apart), through the fontTools fallback, and on Dask."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from qbrgen.render._zip import document_time, normalise_zip

KEEP = ["cobalt-ridge", "tidewater-foods"]


@pytest.fixture
def small_workspace(tmp_path: Path) -> Path:
    """Two sample accounts (one renewing, one at risk) and one hiring kit: every document type."""
    ws = tmp_path / "ws"
    (ws / "accounts").mkdir(parents=True)
    config = (ROOT / "qbrgen.yaml").read_text()
    config = config.replace(
        "build: [junior-saas, senior-regulated, strategic-saas]", "build: [junior-saas]"
    )
    assert "build: [junior-saas]" in config
    (ws / "qbrgen.yaml").write_text(config)
    for name in KEEP:
        shutil.copy(ROOT / "accounts" / f"{name}.yaml", ws / "accounts" / f"{name}.yaml")
    return ws


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def _build(ws: Path, tz: str, *extra: str) -> dict[str, bytes]:
    exe = Path(sys.executable).parent / "qbrgen"
    result = subprocess.run(
        [str(exe), "build", "-w", str(ws), "-j", "1", "--json", *extra],
        capture_output=True,
        text=True,
        timeout=900,
        env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | {"TZ": tz},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return _outputs(ws / "output")


def _wait_for_a_new_zip_second() -> None:
    """Zip headers count time in two-second steps: be sure the clock has moved past one."""
    time.sleep(2.1)


def _differences(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    assert set(first) == set(second)
    return [name for name in first if first[name] != second[name]]


def test_every_document_type_is_byte_identical_across_two_runs(
    small_workspace: Path, tmp_path: Path
) -> None:
    first = _build(small_workspace, "UTC")
    kinds = {Path(name).suffix for name in first}
    assert {".pptx", ".pdf", ".xlsx", ".md", ".svg"} <= kinds, kinds
    assert any("prep-brief" in n for n in first) and any("account-plan" in n for n in first)
    assert any(n.startswith("portfolio/") and n.endswith(".xlsx") for n in first)
    assert any(n.startswith("kits/") and n.endswith(".xlsx") for n in first)
    copy = tmp_path / "second"
    shutil.copytree(small_workspace, copy, ignore=shutil.ignore_patterns("output"))
    _wait_for_a_new_zip_second()
    second = _build(copy, "Pacific/Auckland")
    assert _differences(first, second) == []
    # Every package carries the as-of date, not the time of the run.
    stamp = document_time(dt.date(2026, 10, 15), {})
    for name, data in first.items():
        if name.endswith((".pptx", ".xlsx")):
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                assert {i.date_time for i in package.infolist()} == {(2026, 10, 15, 0, 0, 0)}
                core = package.read("docProps/core.xml").decode()
                assert core.count(stamp.strftime("%Y-%m-%dT%H:%M:%SZ")) == 2, core
                for inner in package.namelist():
                    if inner.endswith(".xlsx"):  # a chart's workbook
                        with zipfile.ZipFile(io.BytesIO(package.read(inner))) as book:
                            assert "2026-10-15T00:00:00Z" in book.read("docProps/core.xml").decode()


@pytest.mark.parametrize("deck", ["northwind", "lo-midnightblue-16x9"])
def test_designed_decks_are_byte_identical_across_two_runs(
    deck: str, small_workspace: Path, tmp_path: Path
) -> None:
    """A deck filled from a designer's .pptx (`deck.designed`) is written by the same
    normalising writer as a built one: the same bytes in two processes, every entry and the
    created/modified properties at the as-of date (a file LibreOffice saved, whose core
    properties part python-pptx relates again, too), and none of our identifiers in the
    properties of a deck for the customer."""
    import yaml

    from designed_decks import NORTHWIND, tokenise_lo_midnightblue

    templates = small_workspace / "templates"
    templates.mkdir()
    if deck == "northwind":
        source = templates / NORTHWIND.name
        shutil.copy(NORTHWIND, source)
    else:
        source = tokenise_lo_midnightblue(templates / f"{deck}-qbr.pptx")
    config = yaml.safe_load((small_workspace / "qbrgen.yaml").read_text())
    config["deck"] = {"designed": source.name}
    (small_workspace / "qbrgen.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    first = _build(small_workspace, "UTC", "--only", "qbr")
    copy = tmp_path / "second"
    shutil.copytree(small_workspace, copy, ignore=shutil.ignore_patterns("output"))
    _wait_for_a_new_zip_second()
    second = _build(copy, "Pacific/Auckland", "--only", "qbr")
    decks = [name for name in first if name.endswith(".pptx")]
    assert len(decks) == len(KEEP)
    assert _differences(first, second) == []
    manifest = json.loads((small_workspace / "output" / "manifest.json").read_text())
    for name in decks:
        with zipfile.ZipFile(io.BytesIO(first[name])) as package:
            names = package.namelist()
            assert len(names) == len(set(names))
            assert names[0] == "[Content_Types].xml"
            assert {i.date_time for i in package.infolist()} == {(2026, 10, 15, 0, 0, 0)}
            core = package.read("docProps/core.xml").decode()
            assert core.count("2026-10-15T00:00:00Z") == 2, core
            assert "Quarterly business review" in core
            assert "qbrgen" not in core.lower()
            inputs = manifest["files"][name]["inputs"]["inputs_hash"]
            assert inputs and inputs not in core
            charts = [n for n in names if n.endswith(".xlsx")]
            for inner in charts:  # the named charts' workbooks, filled per account
                with zipfile.ZipFile(io.BytesIO(package.read(inner))) as book:
                    assert {i.date_time for i in book.infolist()} == {(2026, 10, 15, 0, 0, 0)}
    assert any(
        n.endswith(".xlsx") for d in decks for n in zipfile.ZipFile(io.BytesIO(first[d])).namelist()
    )


RENDER_PDFS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import weasyprint.pdf.fonts as fonts
    fonts.harfbuzz_subset = None  # as on a machine without libharfbuzz-subset0
    subset = fonts.Font._fonttools_subset
    calls = []
    fonts.Font._fonttools_subset = lambda *args: calls.append(1) or subset(*args)
    from qbrgen.render import Selection, load_renderers, render_env
    from qbrgen.run import open_run
    run = open_run(Path(sys.argv[1]))
    env = render_env(run)
    out = Path(sys.argv[2])
    for name in ("plan", "brief"):
        renderer = load_renderers([name])[name]
        for job in renderer.plan(run, Selection(run.accounts)):
            for rel, data in renderer.render(job, env).items():
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                (out / rel).write_bytes(data)
    print("fontTools subsets:", len(calls))
    """
)


def test_pdfs_subset_by_fonttools_are_byte_identical_too(
    small_workspace: Path, tmp_path: Path
) -> None:
    """Without HarfBuzz, WeasyPrint subsets fonts with fontTools, which stamps each subset
    with the time: qbrgen sets SOURCE_DATE_EPOCH from the as-of date while writing."""
    outs = []
    for index, tz in enumerate(("UTC", "America/Denver")):
        out = tmp_path / f"pdf-{index}"
        result = subprocess.run(
            [sys.executable, "-c", RENDER_PDFS, str(small_workspace), str(out)],
            capture_output=True,
            text=True,
            timeout=600,
            env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | {"TZ": tz},
        )
        assert result.returncode == 0, result.stderr
        assert int(result.stdout.split("fontTools subsets:")[1]) > 0
        outs.append(_outputs(out))
        _wait_for_a_new_zip_second()
    assert len(outs[0]) == 4
    assert _differences(*outs) == []


def test_source_date_epoch_is_honoured(small_workspace: Path) -> None:
    """Set in the environment, SOURCE_DATE_EPOCH is the documents' timestamp instead of the
    as-of date (and the manifest records it, so changing it rebuilds)."""
    exe = Path(sys.executable).parent / "qbrgen"
    args = [str(exe), "build", "-w", str(small_workspace), "--only", "scorecard", "--json"]
    plain = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    subprocess.run(args, env=plain, check=True, capture_output=True, timeout=600)
    result = subprocess.run(
        args, env=plain | {"SOURCE_DATE_EPOCH": "1790000000"}, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert '"built": 1' in result.stdout
    (workbook,) = (small_workspace / "output" / "portfolio").glob("*.xlsx")
    with zipfile.ZipFile(workbook) as package:
        assert {i.date_time for i in package.infolist()} == {(2026, 9, 21, 14, 13, 20)}
    assert document_time(dt.date(2026, 10, 15), {"SOURCE_DATE_EPOCH": "1790000000"}) == (
        dt.datetime(2026, 9, 21, 14, 13, 20, tzinfo=dt.UTC)
    )
    assert document_time(dt.date(2026, 10, 15), {"SOURCE_DATE_EPOCH": "junk"}) == (
        dt.datetime(2026, 10, 15, tzinfo=dt.UTC)
    )


def test_normalise_zip_fixes_times_order_and_embedded_packages() -> None:
    def package(when: tuple[int, ...], order: list[str]) -> bytes:
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as book:
            book.writestr(zipfile.ZipInfo("docProps/core.xml", when), CORE % b"2031-01-02")
            book.writestr(zipfile.ZipInfo("xl/workbook.xml", when), b"<workbook/>" * 50)
        members = {
            "[Content_Types].xml": b"<Types/>",
            "docProps/core.xml": CORE % f"{when[0]}-01-01".encode(),
            "ppt/embeddings/Sheet1.xlsx": inner.getvalue(),
            "ppt/slides/slide1.xml": b"<sld>" + b"x" * 3000 + b"</sld>",
            "stored.bin": b"\x00\x01",
        }
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in order:
                info = zipfile.ZipInfo(name, when)
                info.compress_type = zipfile.ZIP_STORED if name == "stored.bin" else 8
                info.external_attr = 0o644 << 16 if when[0] == 2030 else 0
                zf.writestr(info, members[name])
        return out.getvalue()

    names = [
        "ppt/slides/slide1.xml",
        "stored.bin",
        "[Content_Types].xml",
        "ppt/embeddings/Sheet1.xlsx",
        "docProps/core.xml",
    ]
    a = package((2030, 5, 6, 7, 8, 10), names)
    b = package((2031, 1, 2, 3, 4, 6), list(reversed(names)))
    assert a != b
    stamp = dt.datetime(2026, 10, 15, tzinfo=dt.UTC)
    na, nb = normalise_zip(a, stamp), normalise_zip(b, stamp)
    assert na == nb
    with zipfile.ZipFile(io.BytesIO(na)) as zf:
        assert zf.testzip() is None
        assert zf.namelist()[0] == "[Content_Types].xml"
        assert zf.namelist()[1:] == sorted(zf.namelist()[1:])
        assert {i.date_time for i in zf.infolist()} == {(2026, 10, 15, 0, 0, 0)}
        assert zf.read("ppt/slides/slide1.xml") == b"<sld>" + b"x" * 3000 + b"</sld>"
        assert zf.getinfo("stored.bin").compress_type == zipfile.ZIP_STORED
        core = zf.read("docProps/core.xml")
        assert core.count(b"2026-10-15T00:00:00Z") == 2
        with zipfile.ZipFile(io.BytesIO(zf.read("ppt/embeddings/Sheet1.xlsx"))) as book:
            assert {i.date_time for i in book.infolist()} == {(2026, 10, 15, 0, 0, 0)}
            assert book.read("docProps/core.xml").count(b"2026-10-15T00:00:00Z") == 2
    assert normalise_zip(na, stamp) == na  # idempotent


CORE = (
    b'<cp:coreProperties xmlns:cp="c" xmlns:dcterms="d" xmlns:xsi="x">'
    b'<dcterms:created xsi:type="dcterms:W3CDTF">%sT10:11:12Z</dcterms:created>'
    b'<dcterms:modified xsi:type="dcterms:W3CDTF">2031-05-05T01:02:03Z</dcterms:modified>'
    b"</cp:coreProperties>"
)


def test_a_dask_build_writes_the_same_bytes_as_a_local_one(
    small_workspace: Path, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    from qbrgen.build import BuildOptions, build
    from qbrgen.build.progress import Reporter
    from qbrgen.render import BUILTIN_MODULES
    from qbrgen.run import open_run

    # The built-in document types by name: a test renderer another test file registered in
    # this process (test_build's 'echo') is not part of this comparison.
    every_type = list(BUILTIN_MODULES)
    quiet = Reporter(quiet=True)
    local = build(open_run(small_workspace), BuildOptions(jobs=1, only=every_type), quiet)
    assert local.exit_code == 0, local.to_json()
    expected = _outputs(small_workspace / "output")
    shutil.rmtree(small_workspace / "output")
    _wait_for_a_new_zip_second()
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
        env={"TZ": "Asia/Kolkata"},
    )  # fmt: skip
    try:
        summary = build(
            open_run(small_workspace),
            BuildOptions(executor="dask", scheduler=cluster, only=every_type),
            quiet,
        )
    finally:
        cluster.close()
    assert summary.exit_code == 0, summary.to_json()
    got = _outputs(small_workspace / "output")
    assert set(got) == set(expected)
    assert _differences(expected, got) == []
    assert len(expected) >= 12
