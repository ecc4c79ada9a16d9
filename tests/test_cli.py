"""The CLI through its real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli


def test_help_imports_no_document_library() -> None:
    code = (
        "import sys, qbrgen.cli;"
        "heavy = [m for m in ('pptx', 'weasyprint', 'openpyxl', 'pydantic', 'qbrgen.models') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert run_cli("--help").returncode == 0


def test_kpis_json_shape(sample_workspace: Path) -> None:
    result = run_cli("kpis", "--json", cwd=sample_workspace)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"as_of", "quarter", "portfolio", "accounts"}
    assert data["as_of"] == "2026-10-15" and data["quarter"] == "2026-Q3"
    for key in (
        "grr",
        "nrr",
        "logo_churn_rate",
        "renewal_rate_revenue",
        "gross_revenue_churn",
        "clv",
        "arpa",
        "qbr_completion_rate",
    ):
        assert key in data["portfolio"], key
    first = next(iter(data["accounts"].values()))
    for key in (
        "grr",
        "nrr",
        "health_score",
        "health_band",
        "seat_utilisation",
        "stakeholder_coverage",
        "single_threaded",
        "warning_list",
    ):
        assert key in first, key
    grr = data["portfolio"]["grr"]
    assert grr is None or 0 <= grr <= 1  # a fraction, not a percentage


def test_kpis_table_shows_every_definition(sample_workspace: Path) -> None:
    from qbrgen.kpis.definitions import DEFINITIONS

    result = run_cli("kpis", "--detail", cwd=sample_workspace)
    assert result.returncode == 0, result.stderr
    for definition in DEFINITIONS:
        assert definition.label in result.stdout, definition.label
    assert "n/a" in result.stdout


def test_kpis_unknown_account_is_a_usage_error(sample_workspace: Path) -> None:
    result = run_cli("kpis", "no-such-account", cwd=sample_workspace)
    assert result.returncode == 2
    assert "no account with id 'no-such-account'" in result.stderr


def test_schema_is_json_schema_with_descriptions() -> None:
    result = run_cli("schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "qbrgen account file"
    contract = schema["$defs"]["Contract"]["properties"]["renewal_date"]
    assert "renewal" in contract["description"].lower()
    config = json.loads(run_cli("schema", "--config").stdout)
    assert "gross_margin" in config["properties"]


def test_demo_data_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert (
            run_cli("demo-data", "--accounts", "5", "--seed", "11", str(tmp_path / name)).returncode
            == 0
        )
    files = sorted(p.name for p in (tmp_path / "a" / "accounts").iterdir())
    assert len(files) == 5
    for name in files:
        assert (tmp_path / "a" / "accounts" / name).read_bytes() == (
            tmp_path / "b" / "accounts" / name
        ).read_bytes()
    assert run_cli("validate", cwd=tmp_path / "a").returncode == 0


def test_templates_lists_origin(tmp_path: Path) -> None:
    (tmp_path / "qbrgen.yaml").write_text("")
    (tmp_path / "templates" / "extra").mkdir(parents=True)
    (tmp_path / "templates" / "extra" / "mine.html").write_text("<p>mine</p>")
    result = run_cli("templates", cwd=tmp_path)
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if "extra/mine.html" in line)
    assert "workspace" in line
    assert (ROOT / "src" / "qbrgen" / "templates").is_dir()


def test_init_ends_with_the_next_commands(tmp_path: Path) -> None:
    result = run_cli("init", "my team", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "created my team/qbrgen.yaml"
    assert result.stdout.endswith(
        "Next, in the new workspace:\n"
        "  cd 'my team'\n"
        "  qbrgen validate    # check the two example accounts (then add yours to accounts/)\n"
        "  qbrgen kpis        # their numbers: retention, renewals, health\n"
        "  qbrgen build       # decks, plans, scorecard and digest in output/\n"
    )


def test_schema_config_and_account_together_is_a_usage_error() -> None:
    result = run_cli("schema", "--config", "--account")
    assert result.returncode == 2 and result.stdout == ""
    assert "choose one: --config (qbrgen.yaml) or --account (account files)" in result.stderr
    assert json.loads(run_cli("schema", "--account").stdout)["title"] == "qbrgen account file"


def test_as_of_is_shown_and_checked_in_words(sample_workspace: Path) -> None:
    assert "--as-of YYYY-MM-DD" in run_cli("kpis", "--help").stdout
    for typed, message in (
        ("2026-02-30", "'2026-02-30' is not a date: February 2026 has 28 days"),
        ("2026-13-01", "'2026-13-01' is not a date: there is no month 13"),
        ("15.10.2026", "'15.10.2026': write dates as YYYY-MM-DD, here 2026-10-15"),
        ("2026-1-5", "'2026-1-5': write dates as YYYY-MM-DD, here 2026-01-05"),
        ("10/11/2026", "'10/11/2026' could be 2026-10-11 or 2026-11-10; write a date as"),
        ("next week", "'next week' is not a date as YYYY-MM-DD, e.g. 2026-10-15"),
    ):
        result = run_cli("kpis", "--as-of", typed, cwd=sample_workspace)
        assert result.returncode == 2
        assert f"Invalid value for '--as-of': {message}" in result.stderr, result.stderr
        assert "%Y" not in result.stderr
    ok = run_cli("kpis", "--json", "--as-of", "2026-09-30", cwd=sample_workspace)
    assert json.loads(ok.stdout)["as_of"] == "2026-09-30"


def test_kpis_piped_at_80_columns_keeps_names_whole(sample_workspace: Path) -> None:
    data = json.loads(run_cli("kpis", "--json", cwd=sample_workspace).stdout)
    result = run_cli("kpis", cwd=sample_workspace, columns=80)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    table = "\n".join(lines[next(i for i, line in enumerate(lines) if "Accounts," in line) :])
    assert "…" not in table
    for account_id, item in data["accounts"].items():
        assert item["name"] in table and account_id in table
        for warning in item["warning_list"]:  # warnings move below the table, whole
            assert f"{account_id}: " in table and warning["code"] in table
    assert "left out at 80 columns: widen the terminal, or see them with --detail" in " ".join(
        table.split()
    )
    wide = run_cli("kpis", cwd=sample_workspace, columns=220).stdout
    assert "left out" not in wide and "Cobalt Ridge Software (cobalt-ridge)" in wide


def test_kpis_csv_has_one_row_per_account_and_matches_json(sample_workspace: Path) -> None:
    import csv
    import io

    path = sample_workspace / "accounts" / "cobalt-ridge.yaml"
    text = path.read_text()
    name_line = next(line for line in text.splitlines() if line.startswith("name:"))
    path.write_text(text.replace(name_line, """name: '=HYPERLINK("http://x")'"""))
    data = json.loads(run_cli("kpis", "--json", cwd=sample_workspace).stdout)["accounts"]
    result = run_cli("kpis", "--csv", cwd=sample_workspace)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["id"] for row in rows][0] == "brackenridge-telecom"  # worst health first
    assert sorted(row["id"] for row in rows) == sorted(data)
    for row in rows:
        item = data[row["id"]]
        for key in ("grr", "nrr", "health_score", "arr", "seat_utilisation"):
            expected = "" if item[key] is None else str(round(float(item[key]), 6))
            assert row[key] == expected, (row["id"], key)
        assert row["warnings"] == ";".join(sorted({w["code"] for w in item["warning_list"]}))
        assert row["single_threaded"] in ("true", "false")
    cobalt = next(row for row in rows if row["id"] == "cobalt-ridge")
    assert cobalt["name"] == '\'=HYPERLINK("http://x")'  # never a formula in a spreadsheet
    one = run_cli("kpis", "--csv", "tidewater-foods", cwd=sample_workspace).stdout
    assert len(one.splitlines()) == 2
    both = run_cli("kpis", "--csv", "--json", cwd=sample_workspace)
    assert both.returncode == 2 and "choose one: --json or --csv" in both.stderr


def test_templates_copy_ejects_a_builtin_and_says_how_to_go_back(tmp_path: Path) -> None:
    assert run_cli("init", "ws", cwd=tmp_path).returncode == 0
    ws = tmp_path / "ws"
    builtin = ROOT / "src" / "qbrgen" / "templates" / "deck" / "qbr.yaml"
    result = run_cli("templates", "--copy", "deck/qbr.yaml", cwd=ws)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "copied the built-in deck/qbr.yaml to templates/deck/qbr.yaml\n"
        "Edit your copy: qbrgen uses it from now on in place of the built-in one "
        "(`qbrgen templates` shows which file wins).\n"
        "To go back to the built-in deck/qbr.yaml, delete templates/deck/qbr.yaml.\n"
    )
    copy = ws / "templates" / "deck" / "qbr.yaml"
    assert copy.read_bytes() == builtin.read_bytes()
    listing = run_cli("templates", cwd=ws).stdout
    line = next(line for line in listing.splitlines() if line.startswith("deck/qbr.yaml"))
    assert "workspace" in line
    copy.write_text(copy.read_text() + "# my edit\n")
    again = run_cli("templates", "--copy", "deck/qbr.yaml", cwd=ws)
    assert again.returncode == 2 and copy.read_text().endswith("# my edit\n")
    assert "not replacing templates/deck/qbr.yaml: a copy is already there" in again.stderr
    forced = run_cli("templates", "--copy", "deck/qbr.yaml", "--force", cwd=ws)
    assert forced.returncode == 0 and copy.read_bytes() == builtin.read_bytes()
    copy.unlink()  # going back, as the message says
    listing = run_cli("templates", cwd=ws).stdout
    line = next(line for line in listing.splitlines() if line.startswith("deck/qbr.yaml"))
    assert "built-in" in line


def test_templates_copy_a_folder_elsewhere_and_unknown_names(tmp_path: Path) -> None:
    assert run_cli("init", "ws", cwd=tmp_path).returncode == 0
    ws = tmp_path / "ws"
    folder = run_cli("templates", "--copy", "plan", cwd=ws)
    assert folder.returncode == 0, folder.stderr
    plan_files = sorted(p.name for p in (ROOT / "src/qbrgen/templates/plan").iterdir())
    assert sorted(p.name for p in (ws / "templates" / "plan").iterdir()) == plan_files
    assert "copied the built-in plan/plan.css to templates/plan/plan.css" in folder.stdout
    assert "To go back to the built-in plan templates, delete the files copied above." in (
        folder.stdout
    )
    other = run_cli("templates", "--copy", "deck/qbr.yaml", "templates/deck/board.yaml", cwd=ws)
    assert other.returncode == 0 and (ws / "templates" / "deck" / "board.yaml").is_file()
    assert "does not replace the built-in deck/qbr.yaml" in other.stdout
    assert "used only where qbrgen.yaml names it" in other.stdout
    unknown = run_cli("templates", "--copy", "dek/qbr.yml", cwd=ws)
    assert unknown.returncode == 2
    assert "no built-in template 'dek/qbr.yml'; did you mean 'deck/qbr.yaml'?" in unknown.stderr
    outside = run_cli("templates", "--copy", "plan", cwd=tmp_path)
    assert outside.returncode == 2 and "no qbrgen.yaml in this folder or above" in outside.stderr
    assert not (tmp_path / "templates").exists()


def test_qbr_then_build_keeps_no_spurious_edited_copies(sample_workspace: Path) -> None:
    """Every command records what it writes in the manifest, exactly as the build does."""
    ws = str(sample_workspace)
    first = run_cli("qbr", "tidewater-foods", "-w", ws, check=True)
    deck, brief = (sample_workspace / line for line in first.stdout.split())
    assert deck.name == "Tidewater-Foods-QBR-2026-Q3.pptx"
    assert brief.name == "Tidewater-Foods-QBR-prep-brief-2026-Q3.pdf"
    manifest = json.loads((sample_workspace / "output" / "manifest.json").read_text())
    assert (
        manifest["files"]["tidewater-foods/Tidewater-Foods-QBR-2026-Q3.pptx"]["renderer"] == "qbr"
    )
    built = run_cli(
        "build", "--only", "qbr,brief", "tidewater-foods", "--json", "-w", ws, check=True
    )
    data = json.loads(built.stdout)
    for kind in ("qbr", "brief"):
        assert data["counts"][kind] == {"built": 0, "unchanged": 1, "failed": 0, "kept": 0}
    assert data["hand_edited"] == [] and data["stale"] == []
    assert not list(sample_workspace.rglob("*.edited-*"))
    # A hand edit is never overwritten silently, by `qbrgen qbr` either.
    deck.write_bytes(deck.read_bytes() + b"\0")
    again = run_cli("qbr", "tidewater-foods", "-w", ws, check=True)
    assert "changed by hand; kept a copy as Tidewater-Foods-QBR-2026-Q3.edited-" in again.stderr
    assert len(list(deck.parent.glob("Tidewater-Foods-QBR-2026-Q3.edited-*.pptx"))) == 1


def test_selection_flags_are_the_same_on_qbr_plan_build_and_digest(
    sample_workspace: Path,
) -> None:
    ws = str(sample_workspace)
    owners = "Aisha Benali, Dana Whitfield, Marcus Lindqvist, Priya Raman, Ravi Menon"
    for command in ("qbr", "plan", "build", "digest"):
        usage = run_cli(command, "--help").stdout
        assert all(
            flag in usage for flag in ("ACCOUNT_IDS", "--accounts", "--owner", "--renewing-within")
        )
        nobody = run_cli(command, "--owner", "Nobody", "-w", ws)
        assert nobody.returncode == 2, (command, nobody.stderr)
        assert f"no account owned by 'Nobody'; owners are: {owners}" in nobody.stderr
    result = run_cli("qbr", "--owner", "ravi menon", "--renewing-within", "120d", "-w", ws)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "output/tidewater-foods/Tidewater-Foods-QBR-2026-Q3.pptx",
        "output/tidewater-foods/Tidewater-Foods-QBR-prep-brief-2026-Q3.pdf",
    ]
    listed = run_cli("qbr", "--accounts", "nope", "-w", ws)
    assert listed.returncode == 2 and "no account with id 'nope'" in listed.stderr


def test_known_names_are_shortened_in_messages(tmp_path: Path) -> None:
    from qbrgen.demo import write_workspace

    write_workspace(tmp_path, 60, seed=2)
    result = run_cli("kpis", "acct-0001", cwd=tmp_path)
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.startswith("qbrgen: no account with id 'acct-0001' (known: acct-")
    assert "acct-00001, " in line  # the closest names come first
    assert line.endswith("… and 54 more)") and line.count("acct-") == 7


def test_outside_a_workspace_commands_say_how_to_make_one(tmp_path: Path) -> None:
    (tmp_path / "accounts").mkdir()
    for command in (("kpis",), ("build",), ("qbr",), ("validate",), ("clean", "--stale")):
        result = run_cli(*command, cwd=tmp_path)
        assert result.returncode == 2, command
        assert result.stderr.startswith(
            f"qbrgen: no qbrgen.yaml in this folder or above ({tmp_path.resolve()}): this is not"
        )
        assert "run `qbrgen init DIR` to make one" in result.stderr
        assert "accounts: no such file" not in result.stderr


def test_a_renamed_customer_leaves_a_stale_deck_that_clean_moves(sample_workspace: Path) -> None:
    ws = str(sample_workspace)
    run_cli("build", "--only", "qbr", "tidewater-foods", "-w", ws, check=True)
    old = "tidewater-foods/Tidewater-Foods-QBR-2026-Q3.pptx"
    source = sample_workspace / "accounts" / "tidewater-foods.yaml"
    source.write_text(source.read_text().replace("name: Tidewater Foods", "name: Tidewater Group"))
    built = run_cli("build", "--only", "qbr", "tidewater-foods", "--json", "-w", ws, check=True)
    (stale,) = json.loads(built.stdout)["stale"]
    assert stale["path"] == old and stale["moved_to"] is None
    assert stale["reason"] == "replaced by tidewater-foods/Tidewater-Group-QBR-2026-Q3.pptx"
    shown = run_cli("build", "--only", "qbr", "tidewater-foods", "-w", ws, check=True).stdout
    assert "1 stale file: no current account or document makes it any more:" in shown
    assert f"\n  {old}: replaced by" in shown
    assert "`qbrgen clean --stale` moves it to output/.stale/<date>/" in shown
    cleaned = run_cli("clean", "--stale", "--json", "-w", ws, check=True)
    (moved,) = json.loads(cleaned.stdout)["stale"]
    assert moved["moved_to"].startswith(".stale/") and moved["moved_to"].endswith(old)
    assert (sample_workspace / "output" / moved["moved_to"]).is_file()
    assert not (sample_workspace / "output" / old).exists()
    manifest = json.loads((sample_workspace / "output" / "manifest.json").read_text())["files"]
    assert old not in manifest
    assert "tidewater-foods/Tidewater-Group-QBR-2026-Q3.pptx" in manifest
