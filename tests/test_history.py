"""The KPI history, on SQLite and on a real PostgreSQL server (QBRGEN_TEST_PG_URL: `.ci/run`
starts one; locally `eval "$(.ci/postgres start)"`): runs recorded and replaced by as_of,
concurrent writers, the health trend from a recorded score, the digest's "what moved" after
two builds a week apart, the scorecard's and the plan's health history, `qbrgen history`."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import FIXTURES, IN_CI, run_cli
from qbrgen.history import open_store, read_history, record_run, run_record
from qbrgen.history.schema import SCHEMA_VERSION, metadata
from qbrgen.history.store import URL_ENV, HistoryError, HistoryStore, RunRecord, sqlite_url
from qbrgen.run import open_run

PG_URL = os.environ.get("QBRGEN_TEST_PG_URL")
WEEK1, WEEK2 = dt.date(2026, 10, 8), dt.date(2026, 10, 15)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty history database of each kind."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "history" / "qbrgen.sqlite")
    if not PG_URL:
        if IN_CI:
            pytest.fail("QBRGEN_TEST_PG_URL is not set: .ci/run must start PostgreSQL")
        pytest.skip('no PostgreSQL: eval "$(.ci/postgres start)" to run these')
    engine = sa.create_engine(PG_URL)
    metadata.drop_all(engine)
    engine.dispose()
    return PG_URL


@pytest.fixture
def sample(sample_workspace: Path) -> Path:
    return sample_workspace


# --- the store --------------------------------------------------------------------------------


def test_a_run_is_recorded_and_replaced_by_as_of(db_url: str, sample: Path) -> None:
    store = HistoryStore(db_url)
    run = open_run(sample)
    assert store.runs() == [] and store.previous(WEEK2) is None
    first = record_run(run, "snapshot", store)
    assert first is not None and not first.replaced and first.accounts == len(run.accounts)
    assert store.version() == SCHEMA_VERSION
    again = record_run(run, "build", store)
    assert again is not None and again.replaced
    runs = store.runs()
    assert [(r[0], r[2], r[3]) for r in runs] == [(run.report.as_of, "build", len(run.accounts))]
    # What was recorded reads back: facts and every KPI with its reasons.
    rows = store.account_rows("alder-point-dental")
    assert len(rows) == 1
    kpis = rows[0].kpis
    assert kpis["arr"] == 25000.0 and kpis["grr"] is None
    assert kpis["reasons"]["grr"] == "no revenue history"
    assert kpis["health_score"] == pytest.approx(
        run.report.accounts["alder-point-dental"].health.score
    )
    previous = store.previous(run.report.as_of + dt.timedelta(days=7))
    assert previous is not None and previous.as_of == run.report.as_of
    facts = previous.facts["brackenridge-telecom"]
    opportunity = facts["opportunities"][
        "Real-time network dashboards add-on (sub-minute streaming tier)"
    ]
    assert opportunity == {"stage": "qualified", "outcome": "open", "value": "85000"}
    assert set(facts) >= {
        "arr",
        "opportunities",
        "actions",
        "risks",
        "goals",
        "open_escalations",
        "stakeholders",
    }
    store.close()


def _record_many(url: str, record: RunRecord, days: list[int], queue: Any) -> None:
    """One writer process: record the run for several as_of dates."""
    try:
        store = HistoryStore(url)
        for day in days:
            record.as_of = dt.date(2026, 1, 1) + dt.timedelta(days=day)
            store.record(record)
        store.close()
        queue.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        queue.put(f"{type(exc).__name__}: {exc}")


def test_concurrent_writers_never_interleave(db_url: str, sample: Path) -> None:
    record = run_record(open_run(sample), "snapshot")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    # Four writers start on an empty database at once (the tables are created by whichever
    # comes first) and overlap on dates 2 and 3: the same as_of written concurrently.
    plans = [[0, 1, 2, 3], [2, 3, 4], [3, 2, 5], [6, 3]]
    workers = [context.Process(target=_record_many, args=(db_url, record, p, queue)) for p in plans]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    results = [queue.get(timeout=5) for _ in workers]
    assert results == ["ok"] * len(workers)
    store = HistoryStore(db_url)
    runs = store.runs()
    assert [r[0] for r in runs] == [dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(7)]
    assert all(r[3] == len(record.accounts) for r in runs)
    # Each run holds each account exactly once: no half-replaced snapshot.
    engine = sa.create_engine(db_url)
    from qbrgen.history.schema import account_snapshots

    with engine.connect() as conn:
        counts = conn.execute(
            sa.select(account_snapshots.c.as_of, sa.func.count()).group_by(
                account_snapshots.c.as_of
            )
        ).all()
    engine.dispose()
    assert sorted(c for _, c in counts) == [len(record.accounts)] * 7
    store.close()


def test_reading_never_creates_the_sqlite_file(sample: Path) -> None:
    view = read_history(open_run(sample).workspace, WEEK2)
    assert view.enabled and view.first_run and view.error is None
    assert not (sample / "history").exists()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    store = HistoryStore(sqlite_url(tmp_path / "h.sqlite"))
    store.migrate()
    from qbrgen.history.schema import schema_version

    with store.engine.begin() as conn:
        conn.execute(sa.update(schema_version).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(HistoryError, match="newer qbrgen"):
        store.previous(WEEK2)


# --- the health trend from a recorded score -------------------------------------------------


def test_health_trend_uses_the_recorded_score_and_says_so(
    db_url: str, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, db_url)
    run_cli("snapshot", "--as-of", "2026-07-10", "-w", str(sample), check=True)
    before = open_run(sample, dt.date(2026, 7, 10)).report.accounts["cobalt-ridge"].health.score
    data = json.loads(run_cli("kpis", "--json", "-w", str(sample), check=True).stdout)
    cobalt = data["accounts"]["cobalt-ridge"]
    assert cobalt["health_trend_basis"] == "recorded"
    assert cobalt["health_trend_since"] == "2026-07-10"
    assert cobalt["health_trend"] == pytest.approx(cobalt["health_score"] - before)
    # Outside [as_of - 3 months - 14 days, as_of - 3 months]: like for like instead.
    later = json.loads(
        run_cli("kpis", "--json", "--as-of", "2026-11-01", "-w", str(sample), check=True).stdout
    )
    assert later["accounts"]["cobalt-ridge"]["health_trend_basis"] == "like_for_like"
    run_cli("plan", "cobalt-ridge", "-w", str(sample), check=True)
    pdf = next((sample / "output" / "cobalt-ridge").glob("*.pdf"))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages)
    assert "vs the score recorded on Jul 10, 2026" in text


# --- two builds a week apart ------------------------------------------------------------------


EXPECTED_MOVED = {
    "Kite Co": [
        "health green → yellow",
        "ARR $50,000 → $60,000",
        "opportunity 'Seats for Lisbon': qualified → proposal",
        "opportunity 'Premium support' won ($8,000)",
        "action opened: 'Book exec sponsor call'",
        "action closed: 'Send pilot plan' (done)",
        "risk opened: 'Budget freeze' (high)",
        "risk closed: 'Champion leaving'",
        "goal 'Weekly board pack': on track → at risk",
        "new escalation 'Exports failing' (critical)",
        # Not an edit: a week passed, and his last contact is now over 90 days old.
        "Lee Park (user) gone quiet: last contact Jul 12, 2026",
    ],
    "Gale Ltd": ["first recorded in this run"],
    "Fern Retail": ["no longer in the portfolio (removed, or its file is invalid)"],
}


def _moved_section(markdown: str) -> dict[str, list[str]]:
    start = markdown.index("## What moved since the last recorded run")
    end = markdown.index("\n## ", start + 3)
    out: dict[str, list[str]] = {}
    for line in markdown[start:end].splitlines():
        if not line.startswith("- **"):
            continue
        name, _, rest = line[4:].partition("**")
        rest = rest.split(": ", 1)[1].rstrip(".")
        out[name] = rest.split("; ")
    return out


def test_two_builds_a_week_apart_list_exactly_what_changed(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, db_url)
    ws = tmp_path / "ws"
    shutil.copytree(FIXTURES / "history", ws)
    run_cli("build", "--only", "digest,scorecard", "-w", str(ws), check=True)
    first = (ws / "output" / "portfolio" / f"digest-{WEEK1}.md").read_text()
    assert "First recorded run: nothing to compare with yet" in first
    # The week's changes: kite edited, gale added, fern removed.
    for path in (ws / "week2").iterdir():
        shutil.copy(path, ws / "accounts" / path.name)
    (ws / "accounts" / "fern.yaml").unlink()
    result = run_cli(
        "build", "--only", "digest,scorecard", "--as-of", str(WEEK2), "-w", str(ws), check=True
    )
    assert f"recorded the run of {WEEK2}" in result.stdout
    second = (ws / "output" / "portfolio" / f"digest-{WEEK2}.md").read_text()
    assert (
        "Since Oct 8, 2026: 12 changes on 2 accounts, 1 account no longer in the portfolio."
        in second
    )
    assert _moved_section(second) == EXPECTED_MOVED
    # Moss Bank did not change: it is not listed.
    assert "Moss Bank" not in _moved_section(second)
    # The scorecard's health history: both runs, this one last.
    wb = load_workbook(next((ws / "output" / "portfolio").glob("scorecard-*.xlsx")))
    sheet = wb["Health history"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "Account")
    assert header[3:] == ("Oct 8, 2026", "Now Oct 15, 2026")  # the locale's dates
    kite = next(r for r in rows if r[0] == "Kite Co")
    gale = next(r for r in rows if r[0] == "Gale Ltd")
    assert kite[3] is not None and kite[4] is not None and kite[3] != kite[4]
    assert gale[3] is None and gale[4] is not None  # not recorded a week ago
    assert sheet.cell(row=rows.index(kite) + 1, column=4).number_format == "0_)"


def test_history_off_records_nothing_and_says_so(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(FIXTURES / "history", ws)
    with open(ws / "qbrgen.yaml", "a") as config:
        config.write("history:\n  enabled: false\n")
    run_cli("build", "--only", "digest", "-w", str(ws), check=True)
    assert not (ws / "history").exists()
    text = (ws / "output" / "portfolio" / f"digest-{WEEK1}.md").read_text()
    assert "First recorded run" in text
    result = run_cli("snapshot", "-w", str(ws))
    assert result.returncode == 2 and "history.enabled: false" in result.stderr


# --- qbrgen history ---------------------------------------------------------------------------


def test_history_command_prints_a_kpi_over_time(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(FIXTURES / "history", ws)
    empty = run_cli("history", "kite", "-w", str(ws), check=True)
    assert "no recorded run yet" in empty.stdout and "first recorded run" in empty.stdout
    run_cli("snapshot", "-w", str(ws), check=True)
    run_cli("snapshot", "--as-of", str(WEEK2), "-w", str(ws), check=True)
    data = json.loads(run_cli("history", "kite", "--json", "-w", str(ws), check=True).stdout)
    assert data["kpi"] == "health_score" and data["label"] == "Health score"
    assert [p["as_of"] for p in data["points"]] == [str(WEEK1), str(WEEK2)]
    assert all(p["display"].split()[0].isdigit() for p in data["points"])
    arr = json.loads(
        run_cli("history", "kite", "--kpi", "arr", "--json", "-w", str(ws), check=True).stdout
    )
    assert [p["display"] for p in arr["points"]] == ["$50,000", "$50,000"]
    grr = json.loads(
        run_cli("history", "gale", "--kpi", "grr", "--json", "-w", str(ws)).stdout or "{}"
    )
    assert grr == {}  # gale is in no recorded run of this fixture's first week
    table = run_cli("history", "kite", "--kpi", "stakeholder_coverage", "-w", str(ws), check=True)
    assert "2 active stakeholders" in table.stdout
    wrong = run_cli("history", "kite", "--kpi", "health", "-w", str(ws))
    assert wrong.returncode == 2 and "did you mean health_band" in wrong.stderr
    unknown = run_cli("history", "kit", "-w", str(ws))
    assert unknown.returncode == 2 and "did you mean kite" in unknown.stderr


def test_open_store_follows_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(FIXTURES / "history", ws)
    run = open_run(ws)
    store = open_store(run.workspace)
    assert store is not None and store.label == "history/qbrgen.sqlite"
    monkeypatch.setenv(URL_ENV, "postgresql+psycopg://qbrgen:secret@db.example/qbrgen")
    store = open_store(run.workspace)
    assert store is not None and "secret" not in store.label and "db.example" in store.label


RENDER_WITHOUT_DATABASE = """
import sys
from pathlib import Path

from qbrgen.build import BuildOptions, build
from qbrgen.cli import main
from qbrgen.run import open_run

try:
    main(["validate", "-w", sys.argv[1]], standalone_mode=False)
except SystemExit as exit:
    assert not exit.code, exit.code
after_validate = "sqlalchemy" in sys.modules
run = open_run(Path(sys.argv[1]))
kinds = ["qbr", "plan", "scorecard", "digest"]
summary = build(run, BuildOptions(accounts=["harbor"], only=kinds, executor="inline"))
assert not summary.failed, summary.failed
assert {r.kind for r in summary.results if r.status == "built"} == set(kinds), summary.results
print(after_validate, "sqlalchemy" in sys.modules)
"""


@pytest.mark.parametrize("enabled", [False, True])
def test_history_off_never_imports_sqlalchemy(tmp_path: Path, enabled: bool) -> None:
    """With the history off, validating and rendering every portfolio document (deck, plan,
    scorecard, digest) never imports SQLAlchemy (about 0.3 s of imports per command): only
    the store does. With it on, the run reads the history and imports it (the check can
    tell); `validate` reads no history either way."""
    ws = tmp_path / "ws"
    shutil.copytree(FIXTURES / "digest", ws)
    with (ws / "qbrgen.yaml").open("a") as config:
        config.write(f"history:\n  enabled: {str(enabled).lower()}\n")
    result = subprocess.run(
        [sys.executable, "-c", RENDER_WITHOUT_DATABASE, str(ws)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", str(enabled)]
