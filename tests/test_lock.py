"""The workspace lock: one writer at a time, a clear message naming the holder, takeover of a
lock whose process is gone (on this host and, by heartbeat, on another)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from qbrgen.build import lock as lock_module
from qbrgen.build.lock import LockedError, current_holder, lock_path, workspace_lock
from qbrgen.demo import write_workspace
from qbrgen.loading import open_workspace


@pytest.fixture
def workspace(tmp_path: Path):
    write_workspace(tmp_path, 3, seed=5)
    return open_workspace(tmp_path)


HOLD = (
    "import sys, time; sys.path.insert(0, {src!r});"
    "from qbrgen.loading import open_workspace; from qbrgen.build.lock import workspace_lock;"
    "ws = open_workspace(__import__('pathlib').Path({root!r}));"
    "lock = workspace_lock(ws, 'build'); lock.__enter__(); print('held', flush=True);"
    "sys.stdin.readline(); time.sleep(0.5); lock.__exit__(None, None, None)"
)


def _hold_in_another_process(root: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD.format(src=str(ROOT / "src"), root=str(root))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_is_told_who_holds_the_lock_and_no_wait_fails_at_once(workspace) -> None:
    proc = _hold_in_another_process(workspace.root)
    try:
        holder = current_holder(workspace)
        assert holder is not None and holder.pid == proc.pid and holder.command == "build"
        started = time.monotonic()
        with pytest.raises(LockedError) as raised, workspace_lock(workspace, "qbr", wait=False):
            pass
        assert time.monotonic() - started < 2
        message = str(raised.value)
        assert f"`qbrgen build` (pid {proc.pid} on {holder.host}, since " in message
        assert message.startswith("output/ is being written by") and raised.value.exit_code == 2
        # Waiting: the message names the holder once, and the lock comes when it is released.
        said: list[str] = []
        assert proc.stdin is not None
        proc.stdin.write("release\n")
        proc.stdin.flush()  # it lets go half a second from now: this call has to wait
        with workspace_lock(workspace, "qbr", notify=said.append) as mine:
            assert mine.pid == os.getpid()
        assert len(said) == 1 and f"(pid {proc.pid} on " in said[0]
        assert said[0].endswith("waiting for it to finish")
    finally:
        proc.kill()
        proc.wait()


def test_a_lock_whose_process_was_killed_is_taken_over_at_once(workspace) -> None:
    proc = _hold_in_another_process(workspace.root)
    proc.kill()  # SIGKILL: no chance to release; the record stays in the file
    proc.wait()
    assert json.loads(lock_path(workspace).read_text())["pid"] == proc.pid
    said: list[str] = []
    started = time.monotonic()
    with workspace_lock(workspace, "build", wait=False, notify=said.append) as holder:
        assert holder.pid == os.getpid()
        assert json.loads(lock_path(workspace).read_text())["pid"] == os.getpid()
    assert time.monotonic() - started < 2
    assert said and f"taking over the lock of `qbrgen build` (pid {proc.pid}" in said[0]
    assert lock_path(workspace).read_text() == ""  # released: no holder recorded


def _record(path: Path, host: str, age: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "pid": 4242,
                "host": host,
                "command": "build",
                "since": "2026-10-15T10:00:00+00:00",
                "heartbeat": time.time() - age,
                "token": "theirs",
                "started": "",
            }
        )
    )


def test_another_hosts_lock_counts_while_its_heartbeat_is_fresh(workspace) -> None:
    """On a filesystem that does not share the OS lock between machines, the record decides:
    a fresh heartbeat from another host holds the lock; a silent one is taken over."""
    _record(lock_path(workspace), "build-server-7", age=1)
    with (
        pytest.raises(LockedError, match=r"pid 4242 on build-server-7"),
        workspace_lock(workspace, "qbr", wait=False),
    ):
        pass
    _record(lock_path(workspace), "build-server-7", age=lock_module.STALE_AFTER + 5)
    said: list[str] = []
    with workspace_lock(workspace, "qbr", wait=False, notify=said.append) as holder:
        assert holder.host != "build-server-7"
    assert "pid 4242 on build-server-7" in said[0] and "gone" in said[0]


def test_the_holder_keeps_its_heartbeat_fresh(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock_module, "HEARTBEAT", 0.1)
    with workspace_lock(workspace, "build"):
        first = json.loads(lock_path(workspace).read_text())["heartbeat"]
        time.sleep(0.5)
        second = json.loads(lock_path(workspace).read_text())["heartbeat"]
    assert second > first


def test_the_lock_is_reentrant_within_a_process(workspace) -> None:
    with workspace_lock(workspace, "build") as outer:
        with workspace_lock(workspace, "kpi history", wait=False) as inner:
            assert inner is outer
        assert json.loads(lock_path(workspace).read_text())["token"] == outer.token
    assert current_holder(workspace) is None


def test_two_real_builds_at_once_wait_for_each_other_and_keep_no_spurious_copies(
    tmp_path: Path,
) -> None:
    write_workspace(tmp_path, 8, seed=3)  # eight decks one at a time: longer than a start-up
    args = ("build", "--only", "qbr,scorecard", "-j", "1", "--json", "-w", str(tmp_path))
    exe = Path(sys.executable).parent / "qbrgen"
    env = {**os.environ, "COLUMNS": "200"}
    first = subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, text=True, env=env)
    ws = open_workspace(tmp_path)
    deadline = time.monotonic() + 120
    while current_holder(ws) is None and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert first.poll() is None, "the first build finished before the second could start"
    second = subprocess.Popen(  # started at once, while the first holds the lock
        [str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    refused = run_cli(*args, "--no-wait")
    out, _ = first.communicate(timeout=600)
    second_out, second_err = second.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, second_err
    assert refused.returncode == 2
    assert f"being written by `qbrgen build` (pid {first.pid}" in refused.stderr
    assert f"being written by `qbrgen build` (pid {first.pid}" in second_err
    assert "waiting for it to finish" in second_err
    one, two = json.loads(out), json.loads(second_out)
    assert one["counts"]["qbr"]["built"] == 8
    assert two["counts"]["qbr"] == {"built": 0, "unchanged": 8, "failed": 0, "kept": 0}
    assert two["hand_edited"] == [] and two["stale"] == []
    assert not list((tmp_path / "output").rglob("*.edited-*"))


def test_snapshot_takes_the_lock_too(workspace) -> None:
    """The KPI history (on by default) is written under the workspace lock like output/."""
    proc = _hold_in_another_process(workspace.root)
    try:
        refused = run_cli("snapshot", "--no-wait", "-w", str(workspace.root))
        assert refused.returncode == 2, refused.stderr
        assert f"being written by `qbrgen build` (pid {proc.pid}" in refused.stderr
        assert not (workspace.root / "history").exists()
    finally:
        proc.kill()
        proc.wait()
    assert run_cli("snapshot", "--no-wait", "-w", str(workspace.root)).returncode == 0
