"""Display names for keys and the shared palette."""

from __future__ import annotations

import pytest

from qbrgen.config import Colours, Workspace
from qbrgen.formatting import Formatter
from qbrgen.labels import Labels, humanize
from qbrgen.palette import SEVERITY_ORDER, Palette


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("streaming_views", "Streaming views"),
        ("sso_login", "SSO login"),
        ("apiCalls", "API calls"),
        ("mobile-app", "Mobile app"),
        ("Already words", "Already words"),
        ("SAML", "SAML"),
        ("", ""),
    ],
)
def test_humanize(key: str, expected: str) -> None:
    assert humanize(key) == expected


def test_builtin_names_and_workspace_overrides() -> None:
    labels = Labels(
        {"features": {"streaming_views": "Streams watched"}, "segments": {"smb": "Small business"}}
    )
    assert labels("mid_market", "segments") == "Mid-market"
    assert labels("smb", "segments") == "Small business"
    assert labels("streaming_views", "features") == "Streams watched"
    assert labels("offline_sync", "features") == "Offline sync"
    assert labels("cross_sell", "opportunity_types") == "Cross-sell"
    assert labels(None) == ""


def test_formatter_label_filter_uses_config() -> None:
    config = Workspace.model_validate({"labels": {"features": {"x_y": "Ex why"}}})
    fmt = Formatter.for_config(config)
    assert fmt.filters()["label"]("x_y", "features") == "Ex why"
    assert fmt.label("executive_sponsor", "roles") == "Executive sponsor"


def test_unknown_label_kind_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="unknown kind of label featurez"):
        Workspace.model_validate({"labels": {"featurez": {}}})


def test_palette_is_ordered_worst_first_and_distinct() -> None:
    palette = Palette(Colours())
    assert [s for s, _ in palette.severities()] == list(SEVERITY_ORDER)
    assert len({c for _, c in palette.severities()}) == len(SEVERITY_ORDER)
    assert palette.band("red") == Colours().red
    assert palette.band(None) == Colours().muted
