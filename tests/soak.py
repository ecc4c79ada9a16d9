"""`make soak`: builds of a 30-account workspace under the things a team does to it.

Each round edits, renames (customer name or account id), deletes and adds accounts at random,
sometimes edits an output by hand, then runs `qbrgen build` (with `--prune` every third
round); in half of the rounds a second `qbrgen build` starts while the first runs, and in
some a `kill -9` hits the first build's parent or one of its workers. After every round:

- every output (and every file moved to output/.stale/) opens: decks with python-pptx,
  workbooks with openpyxl, PDFs with pypdf, Markdown as UTF-8;
- the manifest matches the disk (each entry's hash is the file's, except files the soak
  edited by hand and the build rightly kept);
- no `.edited-*` copy exists that the soak did not cause by a hand edit;
- no process of any build of the round is alive two seconds after it ended;
- builds that were not killed exit 0, and a build killed mid-way is finished by the next.

Finally a clean build, then a fresh build of the same inputs in an empty output/: every
document must have the same content. Byte-for-byte reproducibility is not promised yet, so
zip documents (pptx, xlsx) are compared part by part without docProps/core.xml (creation
time), PDFs by page count and extracted text, everything else byte for byte; the summary
says how many files were identical to the byte anyway.

    python tests/soak.py [--rounds 50] [--accounts 30] [--seed 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from processes import session_members  # noqa: E402

QBRGEN = [str(Path(sys.executable).parent / "qbrgen")]
SKIP = {"manifest.json", ".manifest.journal", ".qbrgen.lock"}


@dataclass
class Soak:
    ws: Path
    rng: random.Random
    reserve: list[Path]
    hand_edited: dict[str, bytes] = field(default_factory=dict)
    """Output path -> the bytes the soak wrote there by hand."""
    ever_edited: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    gone_after: list[float] = field(default_factory=list)
    """Seconds from a parent's kill -9 until none of its processes was alive."""

    @property
    def out(self) -> Path:
        return self.ws / "output"

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


# --- what a team does to the inputs ------------------------------------------------------------


def mutate(soak: Soak, round_no: int, size: int) -> None:
    rng = soak.rng
    accounts = sorted((soak.ws / "accounts").glob("*.yaml"))
    for path in rng.sample(accounts, k=min(len(accounts), rng.randint(1, 3))):
        text = path.read_text()
        if rng.random() < 0.4:  # a customer renamed: new deck and plan file names
            text = re.sub(
                r"^name: (.*?)( r\d+)?$", rf"name: \1 r{round_no}", text, count=1, flags=re.M
            )
            soak.count("customer renamed")
        else:
            text = re.sub(
                r"^  arr: [\d.]+$",
                f"  arr: {rng.randint(5, 500) * 1000}.0",
                text,
                count=1,
                flags=re.M,
            )
            soak.count("account edited")
        path.write_text(text)
    if rng.random() < 0.3 and accounts:  # an account id renamed (and its file)
        path = rng.choice(accounts)
        if path.exists():
            new_id = f"renamed-{round_no}"
            path.with_name(f"{new_id}.yaml").write_text(
                re.sub(r"^id: .*$", f"id: {new_id}", path.read_text(), count=1, flags=re.M)
            )
            path.unlink()
            soak.count("account id renamed")
    if rng.random() < 0.25 and len(accounts) > size * 2 // 3:
        victim = rng.choice(accounts)
        if victim.exists():
            victim.unlink()
            soak.count("account deleted")
    while len(list((soak.ws / "accounts").glob("*.yaml"))) < size and soak.reserve:
        spare = soak.reserve.pop()
        shutil.copy(spare, soak.ws / "accounts" / spare.name)
        soak.count("account added")
    if rng.random() < 0.2:  # a person edits a Markdown output by hand
        candidates = [p for p in soak.out.rglob("*.md") if ".stale" not in p.parts]
        if candidates:
            target = rng.choice(candidates)
            rel = target.relative_to(soak.out).as_posix()
            data = target.read_bytes() + f"\nEdited by hand in round {round_no}.\n".encode()
            target.write_bytes(data)
            soak.hand_edited[rel] = data
            soak.ever_edited.add(rel)
            soak.count("output edited by hand")


# --- running builds ---------------------------------------------------------------------------


def start_build(soak: Soak, prune: bool) -> subprocess.Popen[str]:
    args = [*QBRGEN, "build", "-j", "2", "--json", "-w", str(soak.ws)]
    if prune:
        args.append("--prune")
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def workers_of(build_pid: int) -> list[int]:
    """Worker processes: children of the build's forkserver (not the forkserver itself)."""
    members = session_members(build_pid)
    parents = {}
    for pid in members:
        try:
            parents[pid] = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError):
            continue
    return [pid for pid, ppid in parents.items() if ppid != build_pid and pid != build_pid]


def time_until_gone(build_pid: int, limit: float = 10.0) -> float:
    """Seconds until no process of the killed build's session is alive (at most `limit`)."""
    killed_at = time.monotonic()
    while session_members(build_pid) and time.monotonic() - killed_at < limit:
        time.sleep(0.01)
    return time.monotonic() - killed_at


def run_round(soak: Soak, round_no: int, size: int, log: list[str]) -> None:
    rng = soak.rng
    mutate(soak, round_no, size)
    prune = round_no % 3 == 0
    first = start_build(soak, prune)
    builds = [(first, "first")]
    if rng.random() < 0.5:
        time.sleep(rng.uniform(0, 2))
        builds.append((start_build(soak, prune), "second"))
        soak.count("concurrent second build")
    killed = None
    if rng.random() < 0.4:
        time.sleep(rng.uniform(0.5, 6))
        if first.poll() is None:
            if rng.random() < 0.5:
                os.kill(first.pid, signal.SIGKILL)
                killed = "parent"
                soak.gone_after.append(time_until_gone(first.pid))
            else:
                workers = workers_of(first.pid)
                if workers:
                    os.kill(rng.choice(workers), signal.SIGKILL)
                    killed = "worker"
            if killed:
                soak.count(f"kill -9 of the {killed}")
    for proc, name in builds:
        out, err = proc.communicate(timeout=1800)
        expected_death = name == "first" and killed == "parent"
        if not expected_death and proc.returncode != 0:
            raise AssertionError(
                f"round {round_no}: {name} build exited {proc.returncode}\n{err}\n{out[-2000:]}"
            )
        if not expected_death:
            check_summary(soak, json.loads(out), round_no)
    time.sleep(2)
    for proc, name in builds:
        left = session_members(proc.pid)
        if left:
            raise AssertionError(f"round {round_no}: processes of the {name} build left: {left}")
    if killed == "parent":  # the next build finishes the job
        finisher = start_build(soak, False)
        out, err = finisher.communicate(timeout=1800)
        if finisher.returncode != 0:
            raise AssertionError(
                f"round {round_no}: the build after a kill exited {finisher.returncode}\n{err}"
            )
        check_summary(soak, json.loads(out), round_no)
    check_disk(soak, round_no)
    log.append(
        f"round {round_no}: {len(builds)} build(s)"
        + (f", killed the {killed}" if killed else "")
        + (", prune" if prune else "")
    )


def check_summary(soak: Soak, summary: dict[str, object], round_no: int) -> None:
    """Hand edits the build reports are exactly the soak's own."""
    for item in summary["hand_edited"]:  # type: ignore[attr-defined]
        if item["path"] not in soak.ever_edited:
            raise AssertionError(f"round {round_no}: unexplained hand edit reported: {item}")


# --- the checks -------------------------------------------------------------------------------


def opens(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".pptx":
        from pptx import Presentation

        assert len(Presentation(str(path)).slides) > 0
    elif suffix == ".xlsx":
        import openpyxl

        openpyxl.load_workbook(path, read_only=True).close()
    elif suffix == ".pdf":
        from pypdf import PdfReader

        assert len(PdfReader(str(path)).pages) > 0
    elif suffix in (".md", ".json"):
        path.read_text(encoding="utf-8")


def check_disk(soak: Soak, round_no: int) -> None:
    from qbrgen.build.manifest import Manifest
    from qbrgen.output import file_hash

    out = soak.out
    leftovers = list(out.rglob("*.tmp"))
    if leftovers:
        raise AssertionError(f"round {round_no}: temporaries left: {leftovers}")
    files = [
        p
        for p in out.rglob("*")
        if p.is_file() and p.name not in SKIP and not p.name.endswith(".tmp")
    ]
    for path in files:
        try:
            opens(path)
        except Exception as exc:  # noqa: BLE001
            raise AssertionError(f"round {round_no}: {path} does not open: {exc}") from exc
    manifest = Manifest.load(out)
    for rel, entry in manifest.entries.items():
        on_disk = file_hash(out / rel)
        if on_disk == entry.output_hash:
            soak.hand_edited.pop(rel, None)  # rebuilt: the hand edit is now an .edited copy
            continue
        if rel in soak.hand_edited and (out / rel).read_bytes() == soak.hand_edited[rel]:
            continue  # kept: the person's edit, left alone while its inputs do not change
        raise AssertionError(f"round {round_no}: manifest does not match the disk for {rel}")
    for copy in (p for p in files if ".edited-" in p.name):
        original = re.sub(r"\.edited-\d{8}-\d{6}", "", copy.name)
        if not any(Path(rel).name == original for rel in soak.ever_edited):
            raise AssertionError(f"round {round_no}: unexplained copy {copy.relative_to(out)}")
    soak.counts["outputs opened and checked"] = soak.counts.get(
        "outputs opened and checked", 0
    ) + len(files)


# --- the final comparison ---------------------------------------------------------------------


def _parts(data: bytes) -> dict[str, object]:
    """A zip package's parts, without its creation time; embedded packages (a chart's
    workbook inside a deck) likewise."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {
            name: _parts(part) if name.endswith((".xlsx", ".pptx", ".docx")) else part
            for name in sorted(package.namelist())
            if name != "docProps/core.xml"
            for part in [package.read(name)]
        }


def content(path: Path) -> object:
    """What must be the same in two builds of the same inputs (see the module docstring)."""
    if path.suffix in (".pptx", ".xlsx"):
        return _parts(path.read_bytes())
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        return [page.extract_text() for page in reader.pages]
    return path.read_bytes()


def compare_with_fresh(soak: Soak, keep: Path) -> tuple[int, int, list[str]]:
    from qbrgen.build.manifest import Manifest

    fresh = keep / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    shutil.copy(soak.ws / "qbrgen.yaml", fresh / "qbrgen.yaml")
    shutil.copytree(soak.ws / "accounts", fresh / "accounts")
    if (soak.ws / "history").is_dir():  # the KPI history is an input too (health trends)
        shutil.copytree(soak.ws / "history", fresh / "history")
    subprocess.run([*QBRGEN, "build", "-j", "2", "-w", str(fresh)], check=True, capture_output=True)
    mine = set(Manifest.load(soak.out).entries)
    theirs = set(Manifest.load(fresh / "output").entries)
    problems = []
    if mine != theirs:
        problems.append(
            f"different files: only soak {sorted(mine - theirs)}, only fresh {sorted(theirs - mine)}"
        )
    same = identical = 0
    for rel in sorted(mine & theirs):
        if rel in soak.hand_edited:
            continue  # a person's edit the build rightly keeps
        a, b = soak.out / rel, fresh / "output" / rel
        if content(a) != content(b):
            problems.append(f"different content: {rel}")
            continue
        same += 1
        identical += a.read_bytes() == b.read_bytes()
    return same, identical, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="Work in DIR and keep it.")
    args = parser.parse_args()
    from qbrgen.demo import write_workspace

    base = args.keep or Path(tempfile.mkdtemp(prefix="qbrgen-soak-"))
    shutil.rmtree(base / "ws", ignore_errors=True)
    shutil.rmtree(base / "reserve", ignore_errors=True)
    write_workspace(base / "ws", args.accounts, seed=args.seed)
    write_workspace(base / "reserve", args.accounts * 2, seed=args.seed + 1000)
    config = base / "ws" / "qbrgen.yaml"
    config.write_text(config.read_text().replace("  build: []", "  build: [junior-saas]"))
    reserve = []
    for path in sorted((base / "reserve" / "accounts").glob("*.yaml")):
        text = re.sub(r"^id: acct-", "id: spare-", path.read_text(), count=1, flags=re.M)
        target = path.with_name(path.name.replace("acct-", "spare-"))
        target.write_text(text)
        path.unlink()
        reserve.append(target)
    soak = Soak(base / "ws", random.Random(args.seed), reserve)
    started = time.monotonic()
    log: list[str] = []
    first = start_build(soak, False)
    out, err = first.communicate(timeout=3600)
    assert first.returncode == 0, err
    check_disk(soak, 0)
    for round_no in range(1, args.rounds + 1):
        round_started = time.monotonic()
        run_round(soak, round_no, args.accounts, log)
        print(f"{log[-1]} ({time.monotonic() - round_started:.0f} s)", flush=True)
    final = subprocess.run(
        [*QBRGEN, "build", "-j", "2", "--prune", "--json", "-w", str(soak.ws)],
        capture_output=True,
        text=True,
    )
    assert final.returncode == 0, final.stderr
    check_disk(soak, args.rounds + 1)
    same, identical, problems = compare_with_fresh(soak, base)
    minutes = (time.monotonic() - started) / 60
    print(f"\n{args.rounds} rounds in {minutes:.1f} min; events:")
    for what, number in sorted(soak.counts.items()):
        print(f"  {what}: {number}")
    if soak.gone_after:
        times = sorted(soak.gone_after)
        print(
            f"after kill -9 of the build, its workers were gone within {times[-1]:.2f} s "
            f"(median {times[len(times) // 2]:.2f} s, {len(times)} kills)"
        )
    print(
        f"final build vs a fresh build in an empty output/: {same} documents with the same "
        f"content ({identical} identical to the byte), {len(problems)} different"
    )
    for problem in problems:
        print(f"  {problem}")
    if args.keep is None and not problems:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
