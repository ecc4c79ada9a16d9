"""Validation reports every problem with file:line:column, field, expected and found."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, ROOT, run_cli
from qbrgen.errors import ProblemList
from qbrgen.loading import load_portfolio, open_workspace

BROKEN = FIXTURES / "validation"

EXPECTED = [
    "accounts/acme.yaml:8:3: contract.arr: expected an amount ≥ 0, got -5000",
    "accounts/acme.yaml:10:3: contract.renewal_date: expected a date (YYYY-MM-DD), got '2026-02-30'",
    "accounts/acme.yaml:14:5: stakeholders[0].sentiment: expected one of positive, neutral, negative, got 'meh'",
    "accounts/acme.yaml:15:1: renewl_notes: unknown field 'renewl_notes'",
    "accounts/alist.yaml:1:1: expected a mapping of account fields, got a list",
    "accounts/binary.yaml: this is a binary file, not YAML",
    "accounts/dates.yaml:9:3: contract.renewal_date: renewal date 2026-01-01 is not after the contract start 2026-06-01",
    "accounts/dup.yaml:1:1: id: account id 'good' is used more than once: accounts/dup.yaml:1:1 and accounts/good.yaml:1:1",
    "accounts/empty.yaml: the file is empty",
    "accounts/notyaml.yaml:1:5: not valid YAML: the [ here starts a list that is never closed",
    "accounts/refs.yaml:16:5: risks[0].owner: risk owner 'Bob Smith' is not one of this account's stakeholders",
    "accounts/tickets.yaml:18:5: tickets[0].resolved: resolved 2026-05-01 is before opened 2026-05-10",
    "accounts/unsafe.yaml:1:1: not valid YAML: the tag !!python/object/apply:os.system asks",
]


def test_every_problem_is_located(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(BROKEN, ws)
    result = run_cli("validate", cwd=ws)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    for expected in EXPECTED:
        assert any(line.startswith(expected) for line in lines), (
            f"missing: {expected}\n{result.stderr}"
        )
    # The valid file beside the broken ones is still checked and counted, and the summary
    # adds up: two files sharing an id are both invalid, and qbrgen.yaml is a file checked.
    assert lines[-1] == (
        "13 files checked: 2 valid, 11 invalid; 1 account ready to build; 14 errors"
    )


def test_unsafe_yaml_constructs_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(BROKEN, ws)
    marker = tmp_path / "pwned"
    (ws / "accounts" / "unsafe.yaml").write_text(
        f'!!python/object/apply:os.system ["touch {marker}"]\n'
    )
    run_cli("validate", cwd=ws)
    assert not marker.exists()


def test_valid_workspace_exits_zero_and_paths_narrow(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(BROKEN, ws)
    ok = run_cli("validate", "accounts/fine.yaml", cwd=ws)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "2 files checked: 2 valid, 0 invalid; 1 account ready to build; 0 errors\n"
    missing = run_cli("validate", "accounts/nope.yaml", cwd=ws)
    assert missing.returncode == 2
    assert "accounts/nope.yaml: no such file or folder" in missing.stderr


def test_config_errors_are_located_and_accounts_still_checked(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "accounts").mkdir(parents=True)
    shutil.copy(BROKEN / "accounts" / "fine.yaml", ws / "accounts")
    (ws / "qbrgen.yaml").write_text(
        "currency: dollars\nhealth:\n  weights:\n    adoptoin: 1\nlocale: xx_YY\n"
    )
    result = run_cli("validate", cwd=ws)
    assert result.returncode == 1
    assert "qbrgen.yaml:1:1: currency: expected text matching" in result.stderr
    assert "qbrgen.yaml:3:3: health.weights: unknown health component adoptoin" in result.stderr
    assert "qbrgen.yaml:5:1: locale: unknown locale 'xx_YY'" in result.stderr
    assert "2 files checked: 1 valid, 1 invalid; 1 account ready to build; 3 errors" in (
        result.stderr
    )


def test_empty_config_means_defaults(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "accounts").mkdir(parents=True)
    shutil.copy(BROKEN / "accounts" / "fine.yaml", ws / "accounts")
    (ws / "qbrgen.yaml").write_text("# nothing set\n")
    problems = ProblemList()
    workspace = open_workspace(ws, problems)
    assert not problems.items
    assert workspace.config.currency == "USD"
    assert len(load_portfolio(workspace).accounts) == 1


def test_validate_thousand_accounts_is_quick(tmp_path: Path) -> None:
    """A sanity bound far above the 5 s target (the benchmark reports the real figure)."""
    from qbrgen.demo import write_workspace

    write_workspace(tmp_path, 300, seed=3)
    started = time.perf_counter()
    portfolio = load_portfolio(open_workspace(tmp_path))
    assert len(portfolio.accounts) == 300
    assert not portfolio.problems.errors
    assert time.perf_counter() - started < 30


YAML_CASES = [
    "a: 1", "~: x\nnull: y", "- 1\n- [2, 3]\n- {a: b}", "a: yes\nb: No\nc: on\nd: OFF\ne: y",
    "a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: 1:30\nf: -.5\ng: +1\nh: .inf\ni: -.Inf\nk: 1e3",
    "a: 2026-01-01\nb: 2026-01-01 10:00:00\nc: 2026-02-30", "a: 'q'\nb: \"d\\n\"\nc: |\n  x\n",
    "d: >\n  folded\n  text\n", "", "# only a comment\n", "---\n...\n", "x", "- a\n-\n- ''",
    "a:\nb: ~\nc: null\nd: Null", "a: &x 1\nb: *x", "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2",
    "a: !!str 1\nb: !!int '2'", "? [a, b]\n: c", "? a\n: b", "a: 1\na: 2", "--- 1\n--- 2",
    "{a: 1, b: [x, y, {c: d}]}", "[]", "{}", "k: ünïcödé ✓ 日本", "'1': a\n1: b\n1.0: c\ntrue: d",
    "a: 12345678901234567890\nb: 190:20:30.15\nc: 0b101", "- - - deep\n    - x\n  - y",
    "a: =HYPERLINK(\"x\")\nb: +1-555", "a: b: c", "a: [1, 2", "\tx: 1", "a: *undefined",
    "!!python/object:os.system x", "a: !!binary aGVsbG8=",
]  # fmt: skip


@pytest.mark.parametrize("text", YAML_CASES)
def test_fast_yaml_reader_matches_pyyaml(text: str) -> None:
    """The event-based reader (3x faster) gives PyYAML's safe result, or PyYAML's own error."""
    import yaml

    from qbrgen.loading._yaml import _Loader, load_text

    def outcome(load: Any) -> tuple[str, str]:
        try:
            return "ok", repr(load())
        except yaml.YAMLError as exc:
            return "error", str(exc)

    assert outcome(lambda: load_text(text)) == outcome(lambda: yaml.load(text, Loader=_Loader))  # noqa: S506


def test_fast_yaml_reader_matches_pyyaml_on_every_file_in_the_repo() -> None:
    import yaml

    from qbrgen.loading._yaml import _load_plain, _Loader, load_text

    files = [p for p in ROOT.rglob("*.y*ml") if ".venv" not in p.parts and ".git" not in p.parts]
    assert len(files) > 30
    fast = 0
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        try:
            want = repr(yaml.load(text, Loader=_Loader))  # noqa: S506
        except yaml.YAMLError:
            continue
        assert repr(load_text(text)) == want, path
        try:
            _load_plain(text)
            fast += 1
        except Exception:  # noqa: BLE001,S112 - files PyYAML reads itself
            continue
    assert fast >= len(files) * 0.8  # the fast path is the common one


def test_loaded_accounts_share_read_only_field_sets(sample_workspace: Path) -> None:
    """Memory: models of the same shape share one set of given fields; exclude_unset dumps are
    unchanged, and changing one account (or a copy) never changes what the others say."""
    from qbrgen.models import Account

    portfolio = load_portfolio(open_workspace(sample_workspace))
    accounts = [a.account for a in portfolio.accounts]
    assert len(accounts) == len(list((ROOT / "accounts").glob("*.yaml")))
    sets = {id(t.__pydantic_fields_set__) for a in accounts for t in a.tickets}
    tickets = sum(len(a.tickets) for a in accounts)
    assert tickets > 10 and len(sets) < tickets / 2
    for account in accounts:
        fresh = Account.model_validate(account.model_dump(exclude_unset=True))
        assert fresh.model_dump(exclude_unset=True) == account.model_dump(exclude_unset=True)
    plain = [a for a in accounts if "auto_renew" not in a.contract.model_fields_set]
    first, second = next(
        (a, b)
        for a in plain
        for b in plain
        if a is not b and a.contract.model_fields_set == b.contract.model_fields_set
    )
    assert first.contract.__pydantic_fields_set__ is second.contract.__pydantic_fields_set__
    assert "auto_renew" not in first.contract.model_fields_set
    first.contract.auto_renew = True
    copied = second.contract.model_copy(update={"auto_renew": True}, deep=True)
    assert "auto_renew" in first.contract.model_fields_set
    assert "auto_renew" in copied.model_fields_set
    assert "auto_renew" not in second.contract.model_fields_set


# --- duplicate keys, the logo --------------------------------------------------------------------


def _workspace_with(tmp_path: Path, account: str, config: str = "as_of: 2026-10-15\n") -> Path:
    ws = tmp_path / "ws"
    (ws / "accounts").mkdir(parents=True)
    (ws / "qbrgen.yaml").write_text(config)
    (ws / "accounts" / "acct.yaml").write_text(account)
    return ws


FINE = (BROKEN / "accounts" / "fine.yaml").read_text()
PASTED_TWICE = FINE.replace(
    "  renewal_date: 2027-01-01\n", "  renewal_date: 2027-01-01\n  arr: 999999999\n"
)


def test_a_duplicate_key_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    ws = _workspace_with(tmp_path, PASTED_TWICE)
    result = run_cli("validate", cwd=ws)
    assert result.returncode == 1
    assert (
        "accounts/acct.yaml:10:3: key 'arr' appears twice in the same mapping, on lines 7 and 10; "
        "YAML would silently keep only the last one: delete one of them"
    ) in result.stderr
    assert "0 accounts ready to build; 1 error" in result.stderr


@pytest.mark.parametrize("reader", ["libyaml events", "PyYAML loader"])
def test_both_yaml_readers_refuse_duplicate_keys(reader: str) -> None:
    import yaml

    from qbrgen.loading import _yaml

    if reader == "libyaml events":
        if _yaml._EventParser is None:
            pytest.skip("PyYAML built without libyaml")
        with pytest.raises(_yaml._NotPlain):  # the fast reader hands it to the loader
            _yaml._load_plain(PASTED_TWICE)
        with pytest.raises(_yaml.DuplicateKeyError, match="on lines 7 and 10"):
            _yaml.load_text(PASTED_TWICE)
    else:
        with pytest.raises(_yaml.DuplicateKeyError, match="on lines 7 and 10"):
            yaml.load(PASTED_TWICE, Loader=_yaml._Loader)  # noqa: S506
        pure = type("PureLoader", (yaml.SafeLoader,), {})
        pure.construct_mapping = _yaml._construct_mapping  # type: ignore[method-assign]
        with pytest.raises(_yaml.DuplicateKeyError):
            yaml.load(PASTED_TWICE, Loader=pure)  # noqa: S506
    # A key merged in with `<<` may still be overridden, as YAML intends.
    merged = "base: &b {tier: gold, seats: 5}\ncontract:\n  <<: *b\n  tier: silver\n"
    assert _yaml.load_text(merged)["contract"] == {"tier": "silver", "seats": 5}


def test_a_duplicate_key_in_qbrgen_yaml_is_located_too(tmp_path: Path) -> None:
    ws = _workspace_with(tmp_path, FINE, "as_of: 2026-10-15\ncurrency: EUR\ncurrency: USD\n")
    result = run_cli("validate", cwd=ws)
    assert result.returncode == 1
    assert (
        "qbrgen.yaml:3:1: key 'currency' appears twice in the same mapping, on lines 2 and 3"
        in (result.stderr)
    )


def test_a_logo_outside_the_workspace_is_a_validate_error(tmp_path: Path) -> None:
    outside = tmp_path / "brand" / "logo.svg"
    outside.parent.mkdir()
    shutil.copy(FIXTURES / "plan" / "logo.svg", outside)
    config = f"as_of: 2026-10-15\nbranding:\n  logo: {outside}\n"
    ws = _workspace_with(tmp_path, FINE, config)
    result = run_cli("validate", cwd=ws)
    assert result.returncode == 1
    assert (
        f"qbrgen.yaml:3:3: branding.logo: '{outside}' is outside the workspace ("
    ) in result.stderr
    assert "logos may live in the workspace folder (e.g. assets/logo.png) or its templates/" in (
        result.stderr
    )
    (ws / "qbrgen.yaml").write_text("as_of: 2026-10-15\nbranding:\n  logo: ../brand/logo.svg\n")
    assert "is outside the workspace" in run_cli("validate", cwd=ws).stderr
    (ws / "qbrgen.yaml").write_text("as_of: 2026-10-15\nbranding:\n  logo: assets/logo.svg\n")
    missing = run_cli("validate", cwd=ws)
    assert "branding.logo: no file 'assets/logo.svg' in templates/, assets/ or the workspace" in (
        missing.stderr
    )
    (ws / "assets").mkdir()
    shutil.copy(outside, ws / "assets" / "logo.svg")
    assert run_cli("validate", cwd=ws).returncode == 0


def test_the_build_reports_a_bad_logo_once_and_builds_without_it(tmp_path: Path) -> None:
    outside = tmp_path / "logo.svg"
    shutil.copy(FIXTURES / "plan" / "logo.svg", outside)
    ws = _workspace_with(tmp_path, FINE, f"as_of: 2026-10-15\nbranding:\n  logo: {outside}\n")
    result = run_cli("build", "--only", "plan,digest", "-j", "1", cwd=ws)
    assert result.returncode == 1  # the config has an error
    everything = result.stdout + result.stderr
    assert everything.count("branding.logo") == 1, everything
    assert "not found" not in everything
    assert list((ws / "output").rglob("*.pdf"))  # the documents were still built


def test_a_long_list_of_priorities_is_shortened_with_the_closest_first(tmp_path: Path) -> None:
    titles = [f"Priority number {n:02d}" for n in range(1, 13)]
    text = (
        FINE
        + "priorities:\n"
        + "".join(f"  - title: {t}\n" for t in titles)
        + "roadmap:\n  - title: Faster exports\n    quarter: 2027-Q1\n"
        + "    priority: Priority numbr 11\n"
    )
    result = run_cli("validate", cwd=_workspace_with(tmp_path, text))
    assert result.returncode == 1
    (line,) = [ln for ln in result.stderr.splitlines() if "roadmap[0].priority" in ln]
    assert (
        "priority 'Priority numbr 11' is not one of this account's priorities (Priority number 11, "
    ) in line
    assert "… and 6 more)" in line and line.count("Priority number") == 6


def test_many_paths_are_shown_as_one_path_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`display_paths` (a whole folder at once) shows each path as `display_path` does:
    inside the workspace, inside the working folder, outside both, relative, the root itself."""
    from qbrgen.errors import display_path, display_paths

    root = tmp_path / "ws"
    (root / "accounts").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    paths = [
        root / "accounts" / "a.yaml",
        root / "accounts" / "b.yaml",
        root / "top.yaml",
        root,
        elsewhere / "c.yaml",
        Path("relative.yaml"),
        tmp_path / "outside.yaml",
        root / "accounts" / ".." / "up.yaml",
    ]
    shown = display_paths(paths, root)
    assert shown == [display_path(p, root) for p in paths]
    assert shown[:5] == ["accounts/a.yaml", "accounts/b.yaml", "top.yaml", ".", "c.yaml"]
