"""A tiny renderer for testing the build machinery without document libraries.

Each account gets `echo/<id><SUFFIX>.txt`; the portfolio gets `echo/portfolio.txt`. The
account id 'broken-one' (and any id in BROKEN) fails; QBRGEN_TEST_SLOW=<seconds> makes every
job slow (for kill tests).
"""

from __future__ import annotations

import os
import time

from qbrgen.render import Job, RenderEnv, Renderer, Selection, register
from qbrgen.render.context import account_inputs
from qbrgen.run import Run

SUFFIX = ""
"""Appended to account file names (a test renames every document by setting it)."""
BROKEN: set[str] = set()
"""Account ids whose render fails (set by a test; read when planning, in the parent)."""


def plan(run: Run, selection: Selection) -> list[Job]:
    jobs = [
        Job(
            "echo",
            item.account.id,
            [f"echo/{item.account.id}{SUFFIX}.txt"],
            {
                "id": item.account.id,
                "arr": str(run.report.accounts[item.account.id]["arr"]),
                "broken": item.account.id in BROKEN,
            },
            account_inputs(run, item.account.id),
            ["echo/item.txt"],
            item.account.id,
        )
        for item in selection.accounts
    ]
    everything = {
        "accounts": ",".join(a.input_hash for a in run.accounts),
        "as_of": run.report.as_of.isoformat(),
    }
    jobs.append(
        Job(
            "echo",
            "portfolio",
            ["echo/portfolio.txt"],
            {"id": "portfolio", "arr": str(run.report.portfolio["arr"])},
            everything,
            ["portfolio/"],
        )
    )
    return jobs


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    slow = float(os.environ.get("QBRGEN_TEST_SLOW", "0"))
    if slow:
        time.sleep(slow)
    if job.payload["id"] == "broken-one" or job.payload.get("broken"):
        raise ValueError("this account is broken on purpose")
    body = (
        env.theme.render("echo/item.txt", job.payload)
        if job.key != "portfolio"
        else f"portfolio {job.payload['arr']}\n"
    )
    return {job.outputs[0]: (body + "x" * 50_000 + "\nEND\n").encode()}


ECHO = register(Renderer("echo", "test renderer", plan, render))
