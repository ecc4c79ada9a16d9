"""One palette for every renderer: the colours and legend order of health bands, severities
and statuses, derived from the workspace's brand colours.

The deck, the plan, the scorecard and the digest all ask this module, so "high" is the same
colour and comes in the same place in every legend of a run.
"""

from __future__ import annotations

from dataclasses import dataclass

from qbrgen.config import Colours

BAND_ORDER: tuple[str, ...] = ("red", "yellow", "green")
"""Health bands, worst first (tables, legends, charts)."""
SEVERITY_ORDER: tuple[str, ...] = ("critical", "high", "medium", "low")
"""Severities, worst first: the order of every severity legend and sort."""
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITY_ORDER)}
GOAL_STATUS_ORDER: tuple[str, ...] = ("missed", "at_risk", "not_started", "on_track", "achieved")
"""Goal statuses, most in need of attention first."""

NEUTRAL_LIGHT = "#A7B4C6"
"""The quietest series colour (low severity, not started)."""


@dataclass(frozen=True)
class Palette:
    """Colours (#RRGGBB) for the values documents colour-code."""

    colours: Colours

    def band(self, band: str | None) -> str:
        """Colour of a health band; muted when there is no band (not scored)."""
        return {
            "red": self.colours.red,
            "yellow": self.colours.yellow,
            "green": self.colours.green,
        }.get(band or "", self.colours.muted)

    def severity(self, severity: str) -> str:
        """Colour of a severity: critical red, high accent, medium secondary, low neutral."""
        return {
            "critical": self.colours.red,
            "high": self.colours.accent,
            "medium": self.colours.secondary,
            "low": NEUTRAL_LIGHT,
        }.get(severity, self.colours.muted)

    def goal_status(self, status: str) -> str:
        """Colour of a goal status chip."""
        return {
            "achieved": self.colours.green,
            "on_track": self.colours.green,
            "at_risk": self.colours.yellow,
            "missed": self.colours.red,
            "not_started": NEUTRAL_LIGHT,
        }.get(status, self.colours.muted)

    @staticmethod
    def ink(background: str) -> str:
        """Text colour that reads on `background`: white on dark colours, near-black on light."""
        rgb = [int(background.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        # white wins when its contrast (1.05 / (L + 0.05)) beats black's ((L + 0.05) / 0.05)
        return "#FFFFFF" if luminance < 0.179 else "#1E1E1E"

    def series(self) -> list[str]:
        """Colours for unnamed chart series, in order."""
        return [self.colours.primary, self.colours.secondary, self.colours.accent, NEUTRAL_LIGHT]

    def severities(self) -> list[tuple[str, str]]:
        """(severity, colour) in legend order."""
        return [(s, self.severity(s)) for s in SEVERITY_ORDER]
