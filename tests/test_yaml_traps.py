"""YAML's traps, each with its exact message: the line, what YAML did, and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qbrgen.errors import ProblemList
from qbrgen.loading import load_portfolio, open_workspace
from qbrgen.loading._yaml import load_text
from qbrgen.loading._yaml_traps import explain_syntax_error

ACCOUNT = """\
id: acme
name: Acme Logistics
industry: Logistics
segment: mid_market
region: EMEA
owner: Ann Lee
contract:
  arr: 100000
  start_date: 2026-01-01
  renewal_date: 2027-01-01
  tier: Business
  products: [Analytics]
stakeholders:
  - name: Bo Chen
    role: champion
opportunities:
  - title: More seats
    type: seats
    value: 20000
    stage: qualified
"""


def problems_for(tmp_path: Path, text: str, config: str = "") -> list[str]:
    """Every problem `qbrgen validate` reports for one account file (and a config)."""
    ws = tmp_path / "ws"
    (ws / "accounts").mkdir(parents=True, exist_ok=True)
    (ws / "qbrgen.yaml").write_text(config or "as_of: 2026-10-15\n")
    (ws / "accounts" / "acme.yaml").write_text(text)
    found = ProblemList()
    portfolio = load_portfolio(open_workspace(ws, found))
    return [str(p) for p in found.items + portfolio.problems.items]


def edited(old: str, new: str) -> str:
    assert old in ACCOUNT
    return ACCOUNT.replace(old, new, 1)


def test_the_account_used_below_is_valid(tmp_path: Path) -> None:
    assert problems_for(tmp_path, ACCOUNT) == []


# Values YAML reads as something else than the text that was typed.
VALUE_TRAPS = [
    (
        ("region: EMEA", "region: NO"),
        "accounts/acme.yaml:5:1: region: expected text, got NO, which YAML reads as the yes/no "
        'value false; to keep it as text, put it in quotes: region: "NO"',
    ),
    (
        ("industry: Logistics", "industry: yes"),
        "accounts/acme.yaml:3:1: industry: expected text, got yes, which YAML reads as the yes/no "
        'value true; to keep it as text, put it in quotes: industry: "yes"',
    ),
    (
        ("  tier: Business", "  tier: 1.10"),
        "accounts/acme.yaml:11:3: contract.tier: expected text, got 1.10, which YAML reads as the "
        'number 1.1; to keep it as text, put it in quotes: tier: "1.10"',
    ),
    (
        ("  tier: Business", "  tier: 2"),
        "accounts/acme.yaml:11:3: contract.tier: expected text, got 2, which YAML reads as the "
        'number 2; to keep it as text, put it in quotes: tier: "2"',
    ),
    (
        ("products: [Analytics]", "products: [Analytics, 0755]"),
        "accounts/acme.yaml:12:25: contract.products[1]: expected text, got 0755, which YAML "
        "reads as the octal number 493 (a leading 0 means octal); to keep it as text, put it in "
        'quotes: "0755"',
    ),
    (
        ("owner: Ann Lee", "owner: 12:30"),
        "accounts/acme.yaml:6:1: owner: expected text, got 12:30, which YAML reads as the base-60 "
        'number 750 (like a time); to keep it as text, put it in quotes: owner: "12:30"',
    ),
    (
        ("owner: Ann Lee", "owner: ~"),
        "accounts/acme.yaml:6:1: owner: expected text, got ~, which YAML reads as empty (null); "
        'to keep it as text, put it in quotes: owner: "~"',
    ),
    (
        ("products: [Analytics]", "products:\n    - Analytics: Core"),
        "accounts/acme.yaml:13:7: contract.products[0]: expected text, got Analytics: Core, which "
        "YAML reads as a key and a value, because of the ': '; to keep it as text, put it in "
        'quotes: "Analytics: Core"',
    ),
    (
        ("name: Acme Logistics", "name: {Acme}"),
        "accounts/acme.yaml:2:1: name: expected text, got {Acme}, which YAML reads as a mapping; "
        'to keep it as text, put it in quotes: name: "{Acme}"',
    ),
]

# Choices written in another case, with spaces, or misspelt.
CHOICE_TRAPS = [
    (
        ("segment: mid_market", "segment: Enterprise"),
        "accounts/acme.yaml:4:1: segment: expected one of enterprise, mid_market, smb, got "
        "'Enterprise'; did you mean 'enterprise'? Write segment: enterprise",
    ),
    (
        ("segment: mid_market", "segment: Mid Market"),
        "accounts/acme.yaml:4:1: segment: expected one of enterprise, mid_market, smb, got "
        "'Mid Market'; did you mean 'mid_market'? Write segment: mid_market",
    ),
    (
        ("    stage: qualified", "    stage: Proposal"),
        "accounts/acme.yaml:20:5: opportunities[0].stage: expected one of identified, qualified, "
        "proposal, negotiation, closed, got 'Proposal'; did you mean 'proposal'? "
        "Write stage: proposal",
    ),
    (
        ("    stage: qualified", "    stage: negotation"),
        "accounts/acme.yaml:20:5: opportunities[0].stage: expected one of identified, qualified, "
        "proposal, negotiation, closed, got 'negotation'; did you mean 'negotiation'? "
        "Write stage: negotiation",
    ),
    (
        ("    role: champion", "    role: no"),
        "accounts/acme.yaml:15:5: stakeholders[0].role: expected one of executive_sponsor, "
        "decision_maker, champion, user, influencer, detractor, got no, which YAML reads as the "
        "yes/no value false",
    ),
]

# Files YAML cannot parse at all.
SYNTAX_TRAPS = [
    (
        ("  tier: Business", "\ttier: Business"),
        "accounts/acme.yaml:11:1: not valid YAML: this line is indented with a tab, which YAML "
        'does not accept (it indents with spaces only); replace the tab with spaces: "  tier: '
        'Business"',
    ),
    (
        ("    role: champion", "\t  role: champion"),
        "accounts/acme.yaml:15:1: not valid YAML: this line is indented with a tab, which YAML "
        'does not accept (it indents with spaces only); replace the tab with spaces: "    role: '
        'champion"',
    ),
    (
        ("  - title: More seats", "  - title: Renewal: more seats"),
        "accounts/acme.yaml:17:19: not valid YAML: the ': ' after 'Renewal' starts a second key "
        "on this line, which YAML does not allow inside a value; if the colon is part of the "
        'text, put the value in quotes: title: "Renewal: more seats"',
    ),
    (
        ("  tier: Business", "   tier: Business"),
        "accounts/acme.yaml:11:4: not valid YAML: this line is indented 3 spaces, more than "
        "'renewal_date: 2027-01-01' above it (2 spaces), so YAML reads it as more of that value; "
        "line it up with 'renewal_date:': \"  tier: Business\"",
    ),
    (
        ("  tier: Business", " tier: Business"),
        "accounts/acme.yaml:11:2: not valid YAML: this line is indented 1 space, which lines up "
        "with no line above it; YAML reads keys as one mapping only when they start in the same "
        "column. Indent it 2 spaces like 'renewal_date: 2027-01-01': \"  tier: Business\"",
    ),
    (
        ("    role: champion", "   role: champion"),
        "accounts/acme.yaml:15:4: not valid YAML: this line is indented 3 spaces, which lines up "
        "with no line above it; YAML reads keys as one mapping only when they start in the same "
        "column. Indent it 4 spaces like 'name: Bo Chen': \"    role: champion\"",
    ),
    (
        ("    role: champion", "      role: champion"),
        "accounts/acme.yaml:15:7: not valid YAML: this line is indented 6 spaces, more than "
        "'name: Bo Chen' above it (4 spaces), so YAML reads it as more of that value; line it up "
        "with 'name:': \"    role: champion\"",
    ),
    (
        ("owner: Ann Lee", "owner:Ann Lee"),
        "accounts/acme.yaml:6:1: not valid YAML: 'owner:Ann Lee' has no space after the colon, "
        "so YAML reads the line as text, not as a key and a value; write owner: Ann Lee",
    ),
    (
        ("name: Acme Logistics", 'name: "Acme Logistics'),
        'accounts/acme.yaml:2:7: not valid YAML: the quoted value that starts here (name: "Acme '
        'Logistics) is never closed; add the closing " at the end of the value',
    ),
    (
        ("name: Acme Logistics", 'name: "Acme" Logistics'),
        "accounts/acme.yaml:2:7: not valid YAML: the value starts with a quote, so YAML ends it "
        "at the closing \" and cannot read 'Logistics' after it; put the whole value in quotes: "
        "name: '\"Acme\" Logistics'",
    ),
    (
        ("owner: Ann Lee", "owner: @annlee"),
        "accounts/acme.yaml:6:8: not valid YAML: YAML reserves @ at the start of a value; put "
        'the value in quotes: owner: "@annlee"',
    ),
    (
        ("owner: Ann Lee", "owner: *Ann"),
        "accounts/acme.yaml:6:8: not valid YAML: YAML reads a value starting with * as an alias "
        '(a reference to an &anchor); put the value in quotes: owner: "*Ann"',
    ),
    (
        ("products: [Analytics]", "products: [Analytics"),
        "accounts/acme.yaml:12:13: not valid YAML: the [ here starts a list that is never closed "
        'with ]; if the [ is part of the text, put the value in quotes: products: "[Analytics"',
    ),
]


@pytest.mark.parametrize(
    ("change", "message"),
    VALUE_TRAPS + CHOICE_TRAPS + SYNTAX_TRAPS,
    ids=lambda v: v[1] if isinstance(v, tuple) else None,
)
def test_trap_message(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert problems_for(tmp_path, edited(*change)) == [message]


def test_dates_and_quoted_values_stay_text(tmp_path: Path) -> None:
    """Dates are never a trap (they stay text until a date is expected), and quoting any
    trap's value is the fix the messages promise."""
    text = edited("region: EMEA", 'region: "NO"')
    text = text.replace("  tier: Business", "  tier: 2026-10-15").replace(
        "owner: Ann Lee", 'owner: "12:30"'
    )
    assert problems_for(tmp_path, text) == []
    portfolio = load_portfolio(open_workspace(tmp_path / "ws"))
    account = portfolio.accounts[0].account
    assert (account.region, account.contract.tier, account.owner) == ("NO", "2026-10-15", "12:30")


def test_config_choices_get_did_you_mean(tmp_path: Path) -> None:
    found = problems_for(tmp_path, ACCOUNT, config="plan:\n  page_size: letter\n")
    assert found == [
        "qbrgen.yaml:2:3: plan.page_size: expected one of A4, Letter, got 'letter'; "
        "did you mean 'Letter'? Write page_size: Letter"
    ]


@pytest.mark.parametrize(("change", "message"), SYNTAX_TRAPS)
def test_pure_python_parser_gets_the_same_explanation(
    change: tuple[str, str], message: str
) -> None:
    """libyaml (the fast path) and PyYAML (files with anchors or tags) word their errors
    differently; both are explained the same way."""
    text = edited(*change)
    with pytest.raises(yaml.MarkedYAMLError) as fast:
        load_text(text)
    with pytest.raises(yaml.MarkedYAMLError) as pure:
        yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506
    assert explain_syntax_error(text, fast.value) == explain_syntax_error(text, pure.value)
    explained = explain_syntax_error(text, fast.value)
    assert explained is not None and message.endswith(explained[0])


def test_every_broken_variant_of_the_sample_files_gets_a_message() -> None:
    """Mutations of every line of every YAML file in the repository (a tab, a stray colon, a
    space more or less, a lone quote or bracket): the explainer never fails, and whatever it
    says names a line of the file."""
    from conftest import ROOT

    files = sorted((ROOT / "accounts").glob("*.yaml")) + [ROOT / "qbrgen.yaml"]
    mutations = (
        lambda line: "\t" + line,
        lambda line: " " + line,
        lambda line: line[1:],
        lambda line: line + ": x",
        lambda line: line.replace(": ", ":", 1),
        lambda line: line + ' "',
        lambda line: line.replace(": ", ": [", 1),
        lambda line: line.replace(": ", ": @", 1),
    )
    explained = 0
    for path in files:
        lines = path.read_text("utf-8").splitlines()
        for index in range(0, len(lines), 7):
            for mutate in mutations:
                broken = "\n".join([*lines[:index], mutate(lines[index]), *lines[index + 1 :]])
                try:
                    load_text(broken)
                except yaml.MarkedYAMLError as exc:
                    found = explain_syntax_error(broken, exc)
                    if found is not None:
                        explained += 1
                        assert 0 <= found[1] < len(broken.splitlines()), found
                        assert found[0] and found[2] >= 0, found
    assert explained > 300, explained
