"""`qbrgen build`: incremental, parallel, never half-written, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import echo_renderer  # registers the 'echo' renderer
from conftest import ROOT
from processes import session_members
from qbrgen.build import BuildOptions, build
from qbrgen.build.manifest import Manifest
from qbrgen.build.progress import Reporter
from qbrgen.demo import write_workspace
from qbrgen.output import file_hash
from qbrgen.run import open_run

QUIET = Reporter(quiet=True)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    write_workspace(tmp_path, 6, seed=5)
    (tmp_path / "templates" / "echo").mkdir(parents=True)
    (tmp_path / "templates" / "echo" / "item.txt").write_text("account {{ id }} arr {{ arr }}\n")
    return tmp_path


def do_build(ws: Path, **options: object):
    run = open_run(ws)
    opts = BuildOptions(only=["echo"], jobs=2, **options)  # type: ignore[arg-type]
    return build(run, opts, QUIET)


def statuses(summary) -> dict[str, str]:
    return {r.key: r.status for r in summary.results}


def test_second_build_renders_nothing(workspace: Path) -> None:
    first = do_build(workspace)
    assert set(statuses(first).values()) == {"built"}
    assert len(first.results) == 7
    second = do_build(workspace)
    assert set(statuses(second).values()) == {"unchanged"}
    manifest = json.loads((workspace / "output" / "manifest.json").read_text())
    entry = manifest["files"]["echo/acct-00001.txt"]
    assert entry["output_hash"] == file_hash(workspace / "output" / "echo/acct-00001.txt")
    assert entry["renderer"] == "echo" and entry["as_of"] == "2026-10-15" and entry["version"]
    assert "account" in entry["inputs"] and "templates:echo" in entry["inputs"]
    assert do_build(workspace, force=True).counts()["echo"]["built"] == 7


def test_touching_one_account_rebuilds_it_and_the_portfolio(workspace: Path) -> None:
    do_build(workspace)
    path = workspace / "accounts" / "acct-00003.yaml"
    path.write_text(path.read_text().replace("Synthetic account 3", "Synthetic account 3, edited"))
    result = statuses(do_build(workspace))
    assert {k for k, v in result.items() if v == "built"} == {"acct-00003", "portfolio"}


def test_changing_a_template_rebuilds_what_used_it(workspace: Path) -> None:
    do_build(workspace)
    (workspace / "templates" / "echo" / "item.txt").write_text("ACCOUNT {{ id }}\n")
    result = statuses(do_build(workspace))
    assert result.pop("portfolio") == "unchanged"  # does not use echo/item.txt
    assert set(result.values()) == {"built"}
    assert (
        (workspace / "output" / "echo" / "acct-00001.txt")
        .read_text()
        .startswith("ACCOUNT acct-00001")
    )


def test_hand_edited_output_is_never_silently_overwritten(workspace: Path) -> None:
    do_build(workspace)
    target = workspace / "output" / "echo" / "acct-00002.txt"
    target.write_text("my own edits\n")
    kept = do_build(workspace)
    assert statuses(kept)["acct-00002"] == "kept"
    assert target.read_text() == "my own edits\n"
    assert any(h["path"] == "echo/acct-00002.txt" for h in kept.hand_edited)
    # When its inputs change, it is rebuilt, but the edited version is kept as a copy.
    src = workspace / "accounts" / "acct-00002.yaml"
    src.write_text(src.read_text().replace("Synthetic account 2", "Synthetic account 2b"))
    rebuilt = do_build(workspace)
    copies = list(target.parent.glob("acct-00002.edited-*.txt"))
    assert len(copies) == 1 and copies[0].read_text() == "my own edits\n"
    assert target.read_text().startswith("account acct-00002")
    assert any("kept a copy" in h["action"] for h in rebuilt.hand_edited)
    files = rebuilt.to_json()["files"]
    assert files["kept"] == [f"output/echo/{copies[0].name}"]
    assert "output/echo/acct-00002.txt" in files["written"]
    assert files["failed"] == []


def test_json_summary_lists_every_file_by_status(workspace: Path) -> None:
    first = do_build(workspace).to_json()["files"]
    assert sorted(first) == ["failed", "kept", "stale", "unchanged", "written"]
    assert len(first["written"]) == 7 and first["unchanged"] == first["kept"] == []
    for path in first["written"]:
        assert (workspace / path).is_file()
    target = workspace / "output" / "echo" / "acct-00002.txt"
    target.write_text("my own edits\n")
    files = do_build(workspace).to_json()["files"]
    assert files["kept"] == ["output/echo/acct-00002.txt"]
    assert files["written"] == []
    assert sorted(files["unchanged"] + files["kept"]) == sorted(first["written"])


def test_one_broken_account_does_not_stop_the_others(workspace: Path) -> None:
    path = workspace / "accounts" / "acct-00004.yaml"
    path.write_text(path.read_text().replace("id: acct-00004", "id: broken-one"))
    summary = do_build(workspace)
    assert statuses(summary)["broken-one"] == "failed"
    assert summary.failed[0].error and "broken on purpose" in summary.failed[0].error
    assert summary.counts()["echo"]["built"] == 6
    assert summary.exit_code == 1
    assert not (workspace / "output" / "echo" / "broken-one.txt").exists()
    files = summary.to_json()["files"]
    assert files["failed"] == ["output/echo/broken-one.txt"] and len(files["written"]) == 6


def test_invalid_account_is_reported_and_the_rest_build(workspace: Path) -> None:
    (workspace / "accounts" / "bad.yaml").write_text("id: Bad Id\n")
    summary = do_build(workspace)
    assert summary.input_errors and summary.exit_code == 1
    assert summary.counts()["echo"]["built"] == 7


def _all_outputs_complete(out: Path) -> list[Path]:
    files = [p for p in out.rglob("*.txt") if not p.name.startswith(".")]
    for path in files:
        assert path.read_bytes().endswith(b"\nEND\n"), f"partial file {path}"
    return files


def _build_script(workspace: Path) -> str:
    """Python code running an echo build of `workspace` with two workers (to kill it)."""
    return (
        "import sys; sys.path.insert(0, {!r}); import echo_renderer;"
        "from qbrgen.build import BuildOptions, build; from qbrgen.build.progress import Reporter;"
        "from qbrgen.run import open_run;"
        "build(open_run(__import__('pathlib').Path({!r})), BuildOptions(only=['echo'], jobs=2), Reporter(quiet=True))"
    ).format(str(ROOT / "tests"), str(workspace))


@pytest.mark.parametrize("victim", ["parent", "worker"])
def test_killed_build_leaves_no_partial_file_and_next_build_completes(
    workspace: Path, victim: str
) -> None:
    script = _build_script(workspace)
    env = {**os.environ, "QBRGEN_TEST_SLOW": "0.4"}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True)
    out = workspace / "output" / "echo"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.txt")) if out.exists() else []) < 2:
        time.sleep(0.05)
    if victim == "parent":
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        for child in children:
            os.kill(int(child), signal.SIGKILL)
    proc.wait(timeout=60)
    if victim == "worker":
        os.killpg(proc.pid, signal.SIGKILL) if proc.poll() is None else None
    done_before = _all_outputs_complete(out)
    assert 0 < len(done_before) <= 7
    summary = do_build(workspace)
    assert summary.exit_code == 0, summary.to_json()
    files = _all_outputs_complete(out)
    assert len(files) == 7
    assert not list((workspace / "output").rglob("*.tmp"))
    assert not summary.hand_edited  # interrupted writes are not mistaken for hand edits
    manifest = Manifest.load(workspace / "output")
    for rel, entry in manifest.entries.items():
        assert file_hash(workspace / "output" / rel) == entry.output_hash
    assert set(statuses(do_build(workspace)).values()) == {"unchanged"}


def test_dask_local_cluster_gives_the_same_outputs_and_manifest(
    workspace: Path, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    local = do_build(workspace)
    expected = {
        p.relative_to(workspace / "output"): p.read_bytes()
        for p in (workspace / "output").rglob("*.txt")
    }
    manifest_local = json.loads((workspace / "output" / "manifest.json").read_text())["files"]
    import shutil

    shutil.rmtree(workspace / "output")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        env={"PYTHONPATH": str(ROOT / "tests")},
    )
    try:
        import os

        with distributed.Client(cluster) as client:
            before = set(client.run(os.getpid).values())
        # Two documents per worker before it is recycled, like local workers: 7 documents on
        # 2 workers are 2 batches, and the nannies restart the workers between them.
        summary = do_build(workspace, executor="dask", scheduler=cluster, max_tasks_per_worker=2)
        with distributed.Client(cluster) as client:
            client.wait_for_workers(2)
            after = set(client.run(os.getpid).values())
    finally:
        cluster.close()
    assert summary.exit_code == 0 and summary.counts()["echo"]["built"] == len(local.results)
    assert len(before) == len(after) == 2 and not before & after
    got = {
        p.relative_to(workspace / "output"): p.read_bytes()
        for p in (workspace / "output").rglob("*.txt")
    }
    assert got == expected
    manifest_dask = json.loads((workspace / "output" / "manifest.json").read_text())["files"]
    strip = lambda m: {k: {f: v for f, v in e.items() if f != "built_at"} for k, e in m.items()}  # noqa: E731
    assert strip(manifest_dask) == strip(manifest_local)


def test_plain_log_lines_and_summary_off_a_terminal(workspace: Path) -> None:
    import io

    from rich.console import Console

    log, out = io.StringIO(), io.StringIO()
    reporter = Reporter(
        Console(file=log, force_terminal=False, width=200),
        Console(file=out, force_terminal=False, width=200),
    )
    summary = build(open_run(workspace), BuildOptions(only=["echo"], jobs=1), reporter)
    lines = log.getvalue().splitlines()
    assert lines[0] == "build: 7 documents, 7 to render, 0 unchanged"
    assert "built echo acct-00001: echo/acct-00001.txt" in lines
    text = out.getvalue()
    assert "echo" in text and "7" in text and "outputs in output/" in text
    assert "KPI warnings:" in text
    data = summary.to_json()
    assert data["counts"] == {"echo": {"built": 7, "unchanged": 0, "failed": 0, "kept": 0}}
    assert data["exit_code"] == 0 and data["kpi_warnings"]


def test_atomic_write_gives_normal_permissions(tmp_path: Path) -> None:
    from qbrgen.output import atomic_write

    target = tmp_path / "out" / "file.bin"
    atomic_write(target, b"data")
    assert target.read_bytes() == b"data"
    assert target.stat().st_mode & 0o044 == 0o044  # group/other can read, like a plain write
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]


def test_workers_are_recycled_without_hanging(workspace: Path) -> None:
    """More documents than one worker may render before it is replaced (the case where
    ProcessPoolExecutor's own max_tasks_per_child deadlocks on Python 3.11)."""
    run = open_run(workspace)
    summary = build(run, BuildOptions(only=["echo"], jobs=1, max_tasks_per_worker=2), QUIET)
    assert summary.counts()["echo"]["built"] == 7
    assert summary.exit_code == 0


def test_build_for_one_owner_names_the_book_in_the_digest(sample_workspace: Path) -> None:
    run = open_run(sample_workspace)
    summary = build(run, BuildOptions(only=["digest"], owner="aisha benali", jobs=1), QUIET)
    assert summary.exit_code == 0
    (markdown,) = (sample_workspace / "output" / "portfolio").glob("digest-*.md")
    assert "Aisha Benali's book" in markdown.read_text()


def test_a_full_disk_fails_the_documents_not_the_build(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import qbrgen.build as build_module

    do_build(workspace)
    before = (workspace / "output" / "echo" / "acct-00001.txt").read_bytes()
    (workspace / "templates" / "echo" / "item.txt").write_text("CHANGED {{ id }}\n")

    def full(path: Path, data: bytes) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_module, "atomic_write", full)
    summary = do_build(workspace)
    assert summary.exit_code == 1
    assert summary.failed and all(
        "No space left on device" in (r.error or "") for r in summary.failed
    )
    assert (
        workspace / "output" / "echo" / "acct-00001.txt"
    ).read_bytes() == before  # old file whole
    monkeypatch.undo()
    again = do_build(workspace)  # space is back: the next build finishes the job
    assert again.exit_code == 0 and not again.hand_edited
    assert (
        (workspace / "output" / "echo" / "acct-00001.txt")
        .read_text()
        .startswith("CHANGED acct-00001")
    )


def test_render_now_in_workers_writes_the_rest_and_names_the_failure(workspace: Path) -> None:
    from qbrgen.build import render_now
    from qbrgen.errors import RenderError
    from qbrgen.render import Selection

    path = workspace / "accounts" / "acct-00004.yaml"
    path.write_text(path.read_text().replace("id: acct-00004", "id: broken-one"))
    run = open_run(workspace)
    with pytest.raises(RenderError, match="echo broken-one: ValueError: this account is broken"):
        render_now(run, "echo", Selection(run.accounts), workers=2)
    written = sorted(p.name for p in (workspace / "output" / "echo").glob("*.txt"))
    assert len(written) == 6 and "broken-one.txt" not in written


# --- stale outputs ------------------------------------------------------------------------------


def _manifest_matches_disk(out: Path) -> dict[str, object]:
    manifest = Manifest.load(out)
    for rel, entry in manifest.entries.items():
        assert file_hash(out / rel) == entry.output_hash, rel
    return dict(manifest.entries)


def test_removed_and_renamed_accounts_leave_stale_files_that_prune_moves(
    workspace: Path,
) -> None:
    do_build(workspace)
    out = workspace / "output"
    (workspace / "accounts" / "acct-00005.yaml").unlink()
    renamed = workspace / "accounts" / "acct-00003.yaml"
    renamed.write_text(renamed.read_text().replace("id: acct-00003", "id: acct-renamed"))
    (out / "echo" / "acct-00003.txt").write_text("my own notes on the old account\n")
    listed = do_build(workspace)
    stale = {s.path: s for s in listed.stale}
    assert set(stale) == {"echo/acct-00003.txt", "echo/acct-00005.txt"}
    assert (
        stale["echo/acct-00005.txt"].reason == "account 'acct-00005' is no longer in the workspace"
    )
    assert stale["echo/acct-00003.txt"].edited and not stale["echo/acct-00005.txt"].edited
    assert (out / "echo" / "acct-00005.txt").exists()  # listed only: nothing moves without --prune
    assert listed.exit_code == 0
    assert {s["path"] for s in listed.to_json()["stale"]} == set(stale)
    assert listed.to_json()["files"]["stale"] == [f"output/{path}" for path in sorted(stale)]

    pruned = do_build(workspace, prune=True)
    today = __import__("datetime").date.today().isoformat()
    moved = {s.path: s.moved_to for s in pruned.stale}
    assert moved == {
        "echo/acct-00003.txt": f".stale/{today}/echo/acct-00003.txt",
        "echo/acct-00005.txt": f".stale/{today}/echo/acct-00005.txt",
    }
    assert (out / ".stale" / today / "echo" / "acct-00003.txt").read_text() == (
        "my own notes on the old account\n"
    )  # the hand edit moved, not deleted
    assert not (out / "echo" / "acct-00005.txt").exists()
    entries = _manifest_matches_disk(out)
    assert "echo/acct-00005.txt" not in entries and "echo/acct-renamed.txt" in entries
    assert do_build(workspace).stale == []


def test_a_new_name_replaces_the_old_file_and_its_edited_copy_moves_with_it(
    workspace: Path,
) -> None:
    """A document whose file name comes from the data (a renamed customer, a new quarter)."""
    do_build(workspace)
    out = workspace / "output"
    (out / "echo" / "acct-00002.txt").write_text("edited\n")
    src = workspace / "accounts" / "acct-00002.yaml"
    src.write_text(src.read_text().replace("Synthetic account 2", "Synthetic account 2b"))
    do_build(workspace)  # rebuilt: the edit is kept as an .edited copy
    assert len(list((out / "echo").glob("acct-00002.edited-*.txt"))) == 1
    echo_renderer.SUFFIX = "-v2"  # every account file gets a new name
    try:
        summary = do_build(workspace, prune=True)
    finally:
        echo_renderer.SUFFIX = ""
    item = next(s for s in summary.stale if s.path == "echo/acct-00002.txt")
    assert item.reason == "replaced by echo/acct-00002-v2.txt"
    moved = out / (item.moved_to or "")
    assert moved.is_file() and list(moved.parent.glob("acct-00002.edited-*.txt"))
    assert not list((out / "echo").glob("acct-00002.*"))
    assert len(summary.stale) == 6  # the six account files; portfolio.txt keeps its name
    _manifest_matches_disk(out)


def test_a_replacement_this_build_did_not_make_is_said_to_be_not_built_yet(
    workspace: Path,
) -> None:
    do_build(workspace)
    echo_renderer.SUFFIX = "-v2"
    try:
        summary = do_build(workspace, accounts=["acct-00001"])
    finally:
        echo_renderer.SUFFIX = ""
    reasons = {s.path: s.reason for s in summary.stale}
    assert reasons["echo/acct-00001.txt"] == "replaced by echo/acct-00001-v2.txt"
    assert reasons["echo/acct-00002.txt"] == "replaced by echo/acct-00002-v2.txt (not built yet)"
    assert (workspace / "output" / "echo" / "acct-00002.txt").exists()


def test_clean_stale_moves_what_the_workspace_no_longer_makes(workspace: Path) -> None:
    from qbrgen.build import clean_stale

    do_build(workspace)
    (workspace / "accounts" / "acct-00006.yaml").unlink()
    moved = clean_stale(open_run(workspace))
    assert [m.path for m in moved] == ["echo/acct-00006.txt"] and moved[0].moved_to
    assert "echo/acct-00006.txt" not in _manifest_matches_disk(workspace / "output")


def test_an_invalid_account_file_holds_back_pruning_of_unknown_accounts(workspace: Path) -> None:
    do_build(workspace)
    path = workspace / "accounts" / "acct-00004.yaml"
    path.write_text(path.read_text().replace("id: acct-00004", "id: Not A Valid Id"))
    summary = do_build(workspace, prune=True)
    (item,) = summary.stale
    assert item.held and item.moved_to is None and "invalid account file" in item.reason
    assert (workspace / "output" / "echo" / "acct-00004.txt").exists()


def test_a_document_that_fails_keeps_its_old_files(workspace: Path) -> None:
    do_build(workspace)
    path = workspace / "accounts" / "acct-00004.yaml"
    path.write_text(path.read_text().replace("Synthetic account 4", "Synthetic account 4b"))
    echo_renderer.SUFFIX = "-v2"
    echo_renderer.BROKEN.add("acct-00004")
    try:
        summary = do_build(workspace, prune=True)
    finally:
        echo_renderer.SUFFIX = ""
        echo_renderer.BROKEN.discard("acct-00004")
    assert statuses(summary)["acct-00004"] == "failed"
    assert "echo/acct-00004.txt" not in {s.path for s in summary.stale}
    assert (workspace / "output" / "echo" / "acct-00004.txt").exists()


# --- workers die with the build -----------------------------------------------------------------


@pytest.mark.parametrize("mechanism", ["parent-death signal", "pipe watchdog"])
def test_no_worker_survives_a_killed_parent(workspace: Path, mechanism: str) -> None:
    script = _build_script(workspace)
    env = {**os.environ, "QBRGEN_TEST_SLOW": "1.5"}
    if mechanism == "pipe watchdog":  # what macOS has: no prctl, only the pipe
        env["QBRGEN_TEST_NO_PDEATHSIG"] = "1"
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True)
    out = workspace / "output" / "echo"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.exists() and list(out.glob("*.txt"))):
        time.sleep(0.05)  # the workers are up and rendering their second documents
    others = [pid for pid in session_members(proc.pid) if pid != proc.pid]
    assert len(others) >= 2, "no worker processes seen"
    os.kill(proc.pid, signal.SIGKILL)  # the parent only, never its group
    proc.wait(timeout=30)
    time.sleep(2)
    assert session_members(proc.pid) == []
