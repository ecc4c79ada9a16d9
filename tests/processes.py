"""Process helpers shared by the kill tests and the soak test."""

from __future__ import annotations

import subprocess
from pathlib import Path


def session_members(sid: int) -> list[int]:
    """Live (not zombie) processes of session `sid`, from /proc (Linux) or ps."""
    proc = Path("/proc")
    if proc.is_dir():
        found = []
        for item in proc.iterdir():
            if not item.name.isdigit():
                continue
            try:
                fields = (item / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] not in ("Z", "X"):
                found.append(int(item.name))
        return found
    rows = subprocess.run(
        ["ps", "-A", "-o", "pid=,sess=,stat="], capture_output=True, text=True
    ).stdout
    return [
        int(pid)
        for pid, sess, stat in (row.split()[:3] for row in rows.splitlines() if row.strip())
        if int(sess) == sid and not stat.startswith("Z")
    ]
