"""Benchmarks: `python -m qbrgen.bench` (or `make bench`).

Build: for synthetic portfolios of 200 and 1,000 accounts it reports documents per second at
`--jobs 1` and `--jobs 2`, the speed-up, the time of a second build with nothing changed and
with one account changed, and peak memory of the largest process.

Scorecard (`--scorecard 10000`, or several sizes: `--scorecard 1000,10000`): `qbrgen
scorecard` and `qbrgen validate` on a synthetic portfolio of that many accounts, each run
`--runs` times cold (the account cache removed first) and warm (the cache the cold run
wrote), interleaved: wall time (median, min, max), CPU
time (the command and its YAML-parsing workers), peak memory of the largest process and of
the whole process tree (sampled every 20 ms from /proc; shared pages counted in each process,
so it errs high), and the load average; with several sizes, how the parent's peak grows.

Decks (`--decks RUNS`): every QBR deck and prep brief of a workspace (`-w`, default the
current folder: the sample portfolio in the repository) rendered in this process, RUNS times
after one warm-up render: median, 90th percentile and slowest seconds per document, and the
cold first deck (fonts, master and templates loaded). With `--designed FILE.pptx`, the same
decks filled from that designed deck too, and both per slide: milliseconds per slide of a
deck built from `deck/qbr.yaml` against one filled from the designed deck.

History (`--history 1000`): the cost of the KPI history on a build. Two copies of one
synthetic portfolio, history off and on (the latter with 12 earlier runs recorded, so the
build reads a real past: recorded scores for the trend, the previous run's facts for the
digest, 12 health points per account), each built `--runs` times alternately with
`--only scorecard,digest --force` (the documents that use the history; the deck and plan only
add rendering time that is the same on and off, so this is the least favourable ratio), plus
one full build of each with `--full`. Median wall time and the ratio on/off.

History query (`--history-query 10000 --history-runs 52`): that many accounts recorded that many
times (SQLite in a temporary folder, or `--history-url`), then one account's KPI over every
run: `qbrgen history ACCOUNT` end to end, and the store's query alone; medians over accounts.

Floors (`--floors RUNS`): what qbrgen costs against the libraries alone, CPU time from runs
interleaved in one process (fair on a machine others load): every sample deck's CPU per slide
against a plain python-pptx script building the same slides (styled, and content only, see
`qbrgen.bench_floors`), every account plan's CPU against WeasyPrint alone on the same HTML,
and `qbrgen --help` end to end. Medians and ratios, with the load average.

Dask (`--dask 100 --only qbr,plan`): peak worker memory of a build on a local Dask cluster (two
single-thread workers with nannies) against `--jobs 2` local workers on the same portfolio,
as each worker reports it with every document; the ratio, and both builds' wall time.

Every figure comes from runs on this machine; it is a measurement to report, not a test that
can flake.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from qbrgen.demo import write_workspace


def _build(
    workspace: Path, jobs: int, force: bool = False, only: str | None = None
) -> dict[str, Any]:
    args = [
        sys.executable,
        "-m",
        "qbrgen",
        "build",
        "-w",
        str(workspace),
        "--json",
        "-j",
        str(jobs),
    ]
    if force:
        args.append("--force")
    if only:
        args += ["--only", only]
    started = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    try:
        summary = json.loads(result.stdout)
    except ValueError as exc:
        raise SystemExit(f"build failed:\n{result.stdout}\n{result.stderr}") from exc
    built = sum(c["built"] for c in summary["counts"].values())
    unchanged = sum(c["unchanged"] for c in summary["counts"].values())
    failed = sum(c["failed"] for c in summary["counts"].values())
    row: dict[str, Any] = {
        "seconds": round(seconds, 2),
        "built": built,
        "unchanged": unchanged,
        "failed": failed,
        "docs_per_second": round(built / seconds, 2) if built else None,
        "peak_rss_mb": round(max(summary["peak_worker_rss_mb"], summary["parent_rss_mb"]), 1),
        "parent_rss_mb": summary["parent_rss_mb"],
        "worker_rss_mb": summary["peak_worker_rss_mb"],
    }
    if summary["failures"]:  # a benchmark's build should fail nothing: say what and why
        row["failures"] = summary["failures"]
    return row


DASK_BUILD = """
import json, sys, time
from pathlib import Path
from distributed import LocalCluster
from qbrgen.build import BuildOptions, build
from qbrgen.build.progress import Reporter
from qbrgen.run import open_run
workspace, only = Path(sys.argv[1]), [o for o in sys.argv[2].split(",") if o]
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
started = time.perf_counter()
try:
    options = BuildOptions(executor="dask", scheduler=cluster, only=only, force=True)
    summary = build(open_run(workspace), options, Reporter(quiet=True))
finally:
    cluster.close()
print(json.dumps(summary.to_json() | {"wall": time.perf_counter() - started}))
"""


def dask_bench(size: int, only: str | None, root: Path) -> dict[str, Any]:
    """Peak worker memory of a build on a local Dask cluster (two single-thread workers with
    nannies) against local workers (`--jobs 2`) on the same synthetic portfolio, each worker's
    peak as it reports it with every document (ru_maxrss)."""
    import os

    workspace = root / f"dask-{size}"
    if not (workspace / "accounts").is_dir():
        write_workspace(workspace, size, seed=42)
    load = os.getloadavg()
    local = _build(workspace, 2, force=True, only=only)
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", DASK_BUILD, str(workspace), only or ""],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        summary = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise SystemExit(f"Dask build failed:\n{result.stdout}\n{result.stderr}") from exc
    built = sum(c["built"] for c in summary["counts"].values())
    dask_row = {
        "seconds": round(summary["wall"], 2),
        "built": built,
        "failed": sum(c["failed"] for c in summary["counts"].values()),
        "worker_rss_mb": summary["peak_worker_rss_mb"],
        "parent_rss_mb": summary["parent_rss_mb"],
    }
    return {
        "accounts": size,
        "only": only,
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "local_jobs_2": local,
        "dask_2_workers": dask_row,
        "worker_memory_ratio": round(dask_row["worker_rss_mb"] / local["worker_rss_mb"], 2),
    }


def _touch_one(workspace: Path) -> None:
    first = sorted((workspace / "accounts").glob("*.yaml"))[0]
    first.write_text(first.read_text().replace("for benchmarks.", "for benchmarks (edited)."))


def bench(size: int, jobs_list: list[int], only: str | None, root: Path) -> dict[str, Any]:
    workspace = root / f"bench-{size}"
    write_workspace(workspace, size, seed=42)
    row: dict[str, Any] = {"accounts": size}
    for jobs in jobs_list:
        row[f"jobs_{jobs}"] = _build(workspace, jobs, force=True, only=only)
    if len(jobs_list) >= 2:
        one, two = row[f"jobs_{jobs_list[0]}"]["seconds"], row[f"jobs_{jobs_list[1]}"]["seconds"]
        row["speedup"] = round(one / two, 2)
    jobs = jobs_list[-1]
    full = row[f"jobs_{jobs}"]["seconds"]
    nochange = [_build(workspace, jobs, only=only)["seconds"] for _ in range(3)]
    row["no_change_seconds_median"] = statistics.median(nochange)
    row["no_change_ratio"] = round(statistics.median(nochange) / full, 4)
    _touch_one(workspace)
    row["one_changed"] = _build(workspace, jobs, only=only)
    return row


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants (Linux /proc), in KiB."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(c) for c in children)
        except (OSError, StopIteration, ValueError):
            continue
    return total


def _timed_command(args: list[str]) -> tuple[float, float, float, float]:
    """Run one qbrgen command: (wall seconds, CPU seconds, peak RSS MB of the largest process,
    peak RSS MB of the process tree), the CPU and the largest process from `wait4` (the
    command and the workers it waited for), the tree sampled every 20 ms. Its messages go to
    a file: `validate` on 10,000 accounts says more than a pipe holds, and a pipe read only
    at the end would stop it."""
    import os

    with tempfile.TemporaryFile() as messages:
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "qbrgen", *args], stdout=subprocess.DEVNULL, stderr=messages
        )
        peak_tree = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak_tree = max(peak_tree, _tree_rss_kb(process.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            messages.seek(0)
            said = messages.read().decode(errors="replace")[-4000:]
            raise SystemExit(f"qbrgen {' '.join(args)} failed: {said}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, max(peak_tree / 1024, usage.ru_maxrss / 1024)


def _summary(samples: list[tuple[float, float, float, float]]) -> dict[str, Any]:
    walls = [s[0] for s in samples]
    return {
        "wall_seconds_median": round(statistics.median(walls), 2),
        "wall_seconds_min": round(min(walls), 2),
        "wall_seconds_max": round(max(walls), 2),
        "wall_seconds_all": [round(w, 2) for w in walls],
        "cpu_seconds_median": round(statistics.median(s[1] for s in samples), 2),
        "peak_rss_mb_largest_process": round(max(s[2] for s in samples), 1),
        "peak_rss_mb_process_tree": round(max(s[3] for s in samples), 1),
    }


def scorecard_bench(size: int, runs: int, root: Path) -> dict[str, Any]:
    """`qbrgen scorecard` and `qbrgen validate` on `size` synthetic accounts, `runs` times
    each with a cold account cache (output/.cache removed before the run: every file parsed,
    the cache written) and a warm one (the cache of the previous run), interleaved."""
    import os
    import shutil

    workspace = root / f"scorecard-{size}"
    if not (workspace / "accounts").is_dir():
        write_workspace(workspace, size, seed=7)
    cache = workspace / "output" / ".cache"
    commands = {"scorecard": ["scorecard", "-w", str(workspace)],
                "validate": ["validate", "-w", str(workspace)]}  # fmt: skip
    samples: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {}
    load = os.getloadavg()
    for _ in range(runs):
        for name, args in commands.items():
            shutil.rmtree(cache, ignore_errors=True)
            samples.setdefault((name, "cold"), []).append(_timed_command(args))
            samples.setdefault((name, "warm"), []).append(_timed_command(args))
    row: dict[str, Any] = {
        "accounts": size,
        "runs": runs,
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    for (name, state), taken in samples.items():
        row.setdefault(name, {})[state] = _summary(taken)
    return row


def print_scorecard(row: dict[str, Any]) -> None:
    print(
        f"\n{row['accounts']} accounts, {row['runs']} runs each (load {row['load_average'][0]}"
        f" → {row['load_average_after'][0]} on {row['cores']} cores; targets: scorecard < 15 s"
        " and 400 MB warm, < 25 s cold; validate < 5 s warm)"
    )
    for name in ("scorecard", "validate"):
        for state in ("cold", "warm"):
            r = row[name][state]
            print(
                f"  {name} {state}: median {r['wall_seconds_median']} s (min "
                f"{r['wall_seconds_min']}, max {r['wall_seconds_max']}), CPU "
                f"{r['cpu_seconds_median']} s, peak memory {r['peak_rss_mb_largest_process']} "
                f"MB (largest process), {r['peak_rss_mb_process_tree']} MB (process tree)"
            )


def print_parent_memory(rows: list[dict[str, Any]]) -> None:
    """How the parent's peak memory (the largest process: the YAML workers are small) grows
    with the portfolio, warm and cold: flat would be a ratio near 1, linear the size ratio."""
    first = rows[0]
    for state in ("warm", "cold"):
        base = first["scorecard"][state]["peak_rss_mb_largest_process"]
        steps = ", ".join(
            f"{r['accounts']}: {r['scorecard'][state]['peak_rss_mb_largest_process']} MB "
            f"({r['scorecard'][state]['peak_rss_mb_largest_process'] / base:.2f}×)"
            for r in rows[1:]
        )
        print(f"  parent peak memory, scorecard {state}: {first['accounts']}: {base} MB; {steps}")


def deck_bench(workspace: Path, runs: int, designed: Path | None = None) -> dict[str, Any]:
    """Seconds per QBR deck and per prep brief, rendered in-process (no writing); with
    `designed`, the decks filled from that designed deck as well, and both per slide."""
    from qbrgen.render import Selection, load_renderers, render_env
    from qbrgen.run import open_run

    run = open_run(workspace)
    env = render_env(run)
    row: dict[str, Any] = {"workspace": str(workspace), "runs": runs}
    for name in ("qbr", "brief"):
        renderer = load_renderers([name])[name]
        jobs = renderer.plan(run, Selection(run.accounts))
        row[name] = _time_documents(renderer, jobs, env, runs)
    if designed is not None:
        renderer = load_renderers(["qbr"])["qbr"]
        jobs = renderer.plan(run, Selection(run.accounts))
        row["designed"] = _time_documents(renderer, jobs, _designed_env(env, designed), runs)
        row["designed"]["file"] = str(designed)
        built, filled = row["qbr"]["ms_per_slide"], row["designed"]["ms_per_slide"]
        row["designed_vs_built_per_slide"] = round(filled / built, 2)
    return row


def _history_workspace(source: Path, target: Path, enabled: bool) -> Path:
    import shutil

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("output", "history"))
    config = target / "qbrgen.yaml"
    config.write_text(
        config.read_text() + f"\nhistory:\n  enabled: {'true' if enabled else 'false'}\n"
    )
    return target


def _record_past(workspace: Path, runs: int, url: str | None = None) -> float:
    """Record `runs` earlier weekly runs of the workspace's portfolio; returns seconds."""
    import datetime as dt

    from qbrgen.history import open_store, run_record
    from qbrgen.history.store import HistoryStore
    from qbrgen.run import open_run

    run = open_run(workspace)
    store = HistoryStore(url) if url else open_store(run.workspace)
    assert store is not None
    record = run_record(run, "snapshot")
    as_of = run.report.as_of
    started = time.perf_counter()
    for week in range(runs, 0, -1):
        record.as_of = as_of - dt.timedelta(days=7 * week)
        store.record(record)
    store.close()
    return time.perf_counter() - started


def history_bench(size: int, runs: int, full: bool, root: Path) -> dict[str, Any]:
    """Build time with the KPI history off and on (with 12 earlier runs recorded)."""
    source = root / f"history-{size}"
    if not (source / "accounts").is_dir():
        write_workspace(source, size, seed=11)
    off = _history_workspace(source, root / f"history-{size}-off", enabled=False)
    on = _history_workspace(source, root / f"history-{size}-on", enabled=True)
    _record_past(on, 12)
    only = "scorecard,digest"
    times: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(runs):
        for name, workspace in (("off", off), ("on", on)):
            times[name].append(_build(workspace, 2, force=True, only=only)["seconds"])
            print(f"history {name}: {times[name][-1]} s", file=sys.stderr, flush=True)
    row: dict[str, Any] = {
        "accounts": size,
        "runs": runs,
        "only": only,
        "off_seconds_median": round(statistics.median(times["off"]), 2),
        "on_seconds_median": round(statistics.median(times["on"]), 2),
        "off_seconds_all": times["off"],
        "on_seconds_all": times["on"],
    }
    row["on_over_off"] = round(row["on_seconds_median"] / row["off_seconds_median"], 3)
    if full:
        row["full_off_seconds"] = _build(off, 2, force=True)["seconds"]
        row["full_on_seconds"] = _build(on, 2, force=True)["seconds"]
        row["full_on_over_off"] = round(row["full_on_seconds"] / row["full_off_seconds"], 3)
    return row


def history_query_bench(size: int, runs: int, url: str | None, root: Path) -> dict[str, Any]:
    """`size` accounts × `runs` recorded runs; then one account's history, timed."""
    from qbrgen.history.store import HistoryStore, sqlite_url

    workspace = root / f"history-query-{size}"
    if not (workspace / "accounts").is_dir():
        write_workspace(workspace, size, seed=13)
    db = url or sqlite_url(root / f"history-query-{size}.sqlite")
    if url:
        import sqlalchemy as sa

        from qbrgen.history.schema import metadata

        engine = sa.create_engine(url)
        metadata.drop_all(engine)
        engine.dispose()
    record_seconds = _record_past(workspace, runs, db)
    store = HistoryStore(db)
    ids = store.account_ids()
    picks = [ids[i * len(ids) // 7] for i in range(7)]
    query = []
    for account_id in picks:
        started = time.perf_counter()
        rows = store.account_rows(account_id)
        query.append(time.perf_counter() - started)
        assert len(rows) == runs
    store.close()
    cli = []
    env = {**__import__("os").environ, "QBRGEN_HISTORY_URL": db}
    for account_id in picks[:5]:
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "qbrgen", "history", account_id, "--json", "-w", str(workspace)],
            check=True,
            capture_output=True,
            env=env,
        )
        cli.append(time.perf_counter() - started)
    size_mb = None
    if not url:
        size_mb = round((root / f"history-query-{size}.sqlite").stat().st_size / 1e6, 1)
    return {
        "accounts": size,
        "runs": runs,
        "database": "postgresql" if url else "sqlite",
        "record_seconds_total": round(record_seconds, 1),
        "database_mb": size_mb,
        "query_seconds_median": round(statistics.median(query), 4),
        "query_seconds_max": round(max(query), 4),
        "cli_seconds_median": round(statistics.median(cli), 3),
        "cli_seconds_max": round(max(cli), 3),
    }


def _designed_env(env: Any, designed: Path) -> Any:
    """The same workspace, its deck filled from `designed`."""
    from qbrgen.config import LoadedWorkspace
    from qbrgen.render import RenderEnv

    config = env.workspace.config
    deck = config.deck.model_copy(update={"designed": str(designed.resolve()), "template": None})
    loaded = LoadedWorkspace(
        env.workspace.root, config.model_copy(update={"deck": deck}), env.workspace.config_path
    )
    return RenderEnv(loaded, env.periods, env.version)


def _slides(files: dict[str, bytes]) -> int:
    import io
    import re
    import zipfile

    data = next(iter(files.values()))
    if not data.startswith(b"PK"):
        return 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(1 for n in archive.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n))


def _time_documents(renderer: Any, jobs: list[Any], env: Any, runs: int) -> dict[str, Any]:
    started = time.perf_counter()
    renderer.render(jobs[0], env)  # warm-up: fonts, the master, the templates
    cold = time.perf_counter() - started
    times, per_slide, slides = [], [], 0
    for _ in range(runs):
        for job in jobs:
            started = time.perf_counter()
            files = renderer.render(job, env)
            seconds = time.perf_counter() - started
            times.append(seconds)
            count = _slides(files)
            slides += count
            if count:
                per_slide.append(seconds / count)
    times.sort()
    out = {
        "documents": len(jobs),
        "cold_first_seconds": round(cold, 3),
        "median_seconds": round(statistics.median(times), 3),
        "p90_seconds": round(times[int(len(times) * 0.9) - 1], 3),
        "max_seconds": round(times[-1], 3),
    }
    if per_slide:
        out["slides_per_document"] = round(slides / len(times), 1)
        out["ms_per_slide"] = round(statistics.median(per_slide) * 1000, 1)
    return out


def help_bench(runs: int) -> dict[str, Any]:
    """`qbrgen --help` end to end (interpreter start, imports, the command list), `runs` times."""
    import resource

    exe = Path(sys.executable).parent / "qbrgen"
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        "runs": runs,
        "wall_seconds_median": round(statistics.median(walls), 3),
        "cpu_seconds_median": round(statistics.median(cpus), 3),
    }


def floors_bench(workspace: Path, runs: int) -> dict[str, Any]:
    """Decks and plans against the libraries alone, and `qbrgen --help`."""
    import os

    from qbrgen.bench_floors import deck_floor_bench, plan_floor_bench

    load = os.getloadavg()
    row = {
        "load_average": [round(x, 2) for x in load],
        "cores": os.cpu_count(),
        "decks": deck_floor_bench(workspace, runs),
        "plans": plan_floor_bench(workspace, runs),
        "help": help_bench(max(5, runs * 3)),
    }
    row["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return row


def print_floors(row: dict[str, Any]) -> None:
    decks, plans, help_ = row["decks"], row["plans"], row["help"]
    print(
        f"\nfloors (load {row['load_average'][0]} → {row['load_average_after'][0]} on "
        f"{row['cores']} cores; CPU time, medians)\n"
        f"  decks: {decks['decks']} decks, {decks['slides']} slides × {decks['runs']} runs: "
        f"qbrgen {decks['qbrgen_cpu_ms_per_slide']} ms/slide; python-pptx alone "
        f"{decks['plain_styled_cpu_ms_per_slide']} ms/slide styled "
        f"({decks['ratio_to_styled']}×), {decks['plain_content_cpu_ms_per_slide']} ms/slide "
        f"content only ({decks['ratio_to_content']}×; target ≤ 1.3×); prep brief "
        f"{decks['brief_cpu_ms_median']} ms\n"
        f"  plans: {plans['plans']} plans × {plans['runs']} runs: qbrgen "
        f"{plans['qbrgen_cpu_s_median']} s, WeasyPrint alone {plans['weasyprint_cpu_s_median']} "
        f"s ({plans['ratio']}×; target ≤ 1.03×)\n"
        f"  qbrgen --help: {help_['wall_seconds_median']} s wall, "
        f"{help_['cpu_seconds_median']} s CPU (target < 0.3 s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qbrgen.bench", description=__doc__)
    parser.add_argument("--sizes", default="200,1000", help="portfolio sizes (default 200,1000)")
    parser.add_argument("--jobs", default="1,2", help="worker counts to compare (default 1,2)")
    parser.add_argument(
        "--jobs-at-largest", type=int, default=2, help="only this worker count for sizes above 200"
    )
    parser.add_argument("--only", default=None, help="document types, e.g. qbr,plan")
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep the workspaces in this folder"
    )
    parser.add_argument(
        "--scorecard",
        type=lambda text: [int(n) for n in text.split(",")],
        metavar="ACCOUNTS",
        default=None,
        help="time `qbrgen scorecard` on this many accounts instead of the build (several "
        "sizes, e.g. 1000,10000: also the parent's memory from one to the next)",
    )
    parser.add_argument("--runs", type=int, default=5, help="scorecard runs (default 5)")
    parser.add_argument(
        "--dask", type=int, metavar="ACCOUNTS", default=None,
        help="peak worker memory on a local Dask cluster against --jobs 2, on this many accounts",
    )  # fmt: skip
    parser.add_argument(
        "--decks",
        type=int,
        metavar="RUNS",
        default=None,
        help="time every QBR deck and prep brief of the workspace -w instead of the build",
    )
    parser.add_argument(
        "--designed",
        type=Path,
        default=None,
        metavar="FILE.pptx",
        help="with --decks: also fill this designed deck for every account, and compare per slide",
    )
    parser.add_argument("-w", "--workspace", type=Path, default=Path("."))
    parser.add_argument(
        "--history", type=int, metavar="ACCOUNTS", default=None,
        help="build time with the KPI history off and on, on this many accounts",
    )  # fmt: skip
    parser.add_argument("--full", action="store_true", help="with --history: one full build each")
    parser.add_argument(
        "--history-query", type=int, metavar="ACCOUNTS", default=None,
        help="one account's history, queried from this many accounts × --history-runs runs",
    )  # fmt: skip
    parser.add_argument("--history-runs", type=int, default=52, help="recorded runs (default 52)")
    parser.add_argument("--history-url", default=None, help="a PostgreSQL URL instead of SQLite")
    parser.add_argument(
        "--floors", type=int, metavar="RUNS", default=None,
        help="decks and plans of -w against the libraries alone, and qbrgen --help",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.floors:
        row = floors_bench(args.workspace, args.floors)
        print(json.dumps(row))
        print_floors(row)
        return 0
    if args.decks:
        row = deck_bench(args.workspace, args.decks, args.designed)
        print(json.dumps(row))
        labels = [("qbr", "QBR deck (deck/qbr.yaml)"), ("brief", "prep brief")]
        if args.designed:
            labels.append(("designed", f"QBR deck filled from {args.designed.name}"))
        for name, label in labels:
            r = row[name]
            slides = (
                f"; {r['slides_per_document']} slides, {r['ms_per_slide']} ms per slide"
                if "ms_per_slide" in r
                else ""
            )
            print(
                f"{label}: {r['documents']} × {args.decks} runs, median {r['median_seconds']} s, "
                f"p90 {r['p90_seconds']} s, slowest {r['max_seconds']} s; cold first "
                f"{r['cold_first_seconds']} s{slides}"
            )
        if args.designed:
            print(
                f"filled ÷ built, per slide: {row['designed_vs_built_per_slide']} "
                "(median ms per slide of each deck)"
            )
        return 0
    if args.history or args.history_query:
        with tempfile.TemporaryDirectory() as tmp:
            root = args.keep or Path(tmp)
            if args.history:
                row = history_bench(args.history, args.runs, args.full, root)
                print(json.dumps(row))
                print(
                    f"\nhistory, {row['accounts']} accounts, build --only {row['only']}, "
                    f"{row['runs']} runs each: off {row['off_seconds_median']} s, on "
                    f"{row['on_seconds_median']} s (median), on/off {row['on_over_off']}"
                    + (
                        f"; full build off {row['full_off_seconds']} s, on "
                        f"{row['full_on_seconds']} s, on/off {row['full_on_over_off']}"
                        if "full_on_seconds" in row
                        else ""
                    )
                )
            if args.history_query:
                row = history_query_bench(
                    args.history_query, args.history_runs, args.history_url, root
                )
                print(json.dumps(row))
                print(
                    f"\nhistory query, {row['accounts']} accounts × {row['runs']} runs "
                    f"({row['database']}, {row['database_mb']} MB): one account's rows in "
                    f"{row['query_seconds_median']} s median (max {row['query_seconds_max']}), "
                    f"`qbrgen history` end to end {row['cli_seconds_median']} s median"
                )
        return 0
    if args.dask:
        with tempfile.TemporaryDirectory() as tmp:
            row = dask_bench(args.dask, args.only, args.keep or Path(tmp))
        print(json.dumps(row))
        local, dask = row["local_jobs_2"], row["dask_2_workers"]
        print(
            f"\nDask, {row['accounts']} accounts ({local['built']} documents; load "
            f"{row['load_average'][0]} → {row['load_average_after'][0]}): worker peak "
            f"{dask['worker_rss_mb']} MB on Dask, {local['worker_rss_mb']} MB local "
            f"({row['worker_memory_ratio']}×; target ≤ 1.5×); {dask['seconds']} s against "
            f"{local['seconds']} s"
        )
        return 0
    if args.scorecard:
        rows = []
        with tempfile.TemporaryDirectory() as tmp:
            for size in args.scorecard:
                rows.append(scorecard_bench(size, args.runs, args.keep or Path(tmp)))
                print(json.dumps(rows[-1]))
        for row in rows:
            print_scorecard(row)
        if len(rows) > 1:
            print_parent_memory(rows)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    jobs_list = [int(j) for j in args.jobs.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for size in sizes:
            chosen = jobs_list if size <= 200 else [args.jobs_at_largest]
            row = bench(size, chosen, args.only, root)
            results.append(row)
            print(json.dumps(row), flush=True)
    print("\nsummary")
    for row in results:
        parts = [f"{row['accounts']} accounts"]
        for key, value in row.items():
            if key.startswith("jobs_"):
                parts.append(
                    f"{key}: {value['built']} docs in {value['seconds']} s = {value['docs_per_second']} docs/s, peak {value['peak_rss_mb']} MB"
                )
        if "speedup" in row:
            parts.append(f"speed-up {row['speedup']}x")
        parts.append(
            f"no-change rebuild {row['no_change_seconds_median']} s ({row['no_change_ratio'] * 100:.1f}% of full)"
        )
        one = row["one_changed"]
        parts.append(f"one account changed: {one['built']} rebuilt in {one['seconds']} s")
        print(" | ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
