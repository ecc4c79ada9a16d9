"""The workspace config (`qbrgen.yaml`): a typed object where every option has a default."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from qbrgen.models import Record

CONFIG_FILE = "qbrgen.yaml"
BUILTIN_THEME = Path(__file__).parent / "templates"
"""The built-in theme: the last folder of every template search path."""
HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"


class Colours(Record):
    """Brand colours as #RRGGBB."""

    primary: str = Field(default="#1F3A5F", pattern=HEX_COLOUR)
    """Main brand colour: titles, first chart series."""
    secondary: str = Field(default="#3C7DD9", pattern=HEX_COLOUR)
    """Second chart series and accents."""
    accent: str = Field(default="#F2A541", pattern=HEX_COLOUR)
    """Highlights."""
    text: str = Field(default="#1E1E1E", pattern=HEX_COLOUR)
    """Body text."""
    muted: str = Field(default="#6B7280", pattern=HEX_COLOUR)
    """Footers, captions."""
    green: str = Field(default="#2E8B57", pattern=HEX_COLOUR)
    """Health band green."""
    yellow: str = Field(default="#E0A800", pattern=HEX_COLOUR)
    """Health band yellow."""
    red: str = Field(default="#C0392B", pattern=HEX_COLOUR)
    """Health band red."""


class Fonts(Record):
    """Font families; they must be installed where documents are rendered."""

    heading: str = "DejaVu Sans"
    """Font for titles and headings."""
    body: str = "DejaVu Sans"
    """Font for body text and tables."""
    cjk: str = "Noto Sans CJK JP"
    """Font for Chinese, Japanese and Korean characters the heading and body fonts lack (the
    deck names it as the East Asian font of every run and measures that text with it; the
    PDFs fall back to it). `apt-get install fonts-noto-cjk` installs the default."""


class Branding(Record):
    """How documents look."""

    logo: str | None = None
    """Logo image (PNG or SVG), found through the template search path or relative to the workspace."""
    colours: Colours = Field(default_factory=Colours)
    """Brand colours."""
    fonts: Fonts = Field(default_factory=Fonts)
    """Brand fonts."""


class Company(Record):
    """The company that uses qbrgen (the vendor side)."""

    name: str = "Our Company"
    """Company name shown on documents."""
    presenter: str | None = None
    """Default presenter on QBR title slides (defaults to the account owner)."""


class Bands(Record):
    """Health score band thresholds: red is 0..red_max, yellow up to yellow_max, green above."""

    red_max: float = Field(default=50, ge=0, le=100)
    """Highest score that is still red."""
    yellow_max: float = Field(default=75, ge=0, le=100)
    """Highest score that is still yellow; above it is green."""

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.yellow_max <= self.red_max:
            raise ValueError("yellow_max must be above red_max")
        return self


HEALTH_COMPONENTS = ("adoption", "engagement", "support", "sentiment", "outcomes")


class Health(Record):
    """The weighted health score."""

    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "adoption": 0.30,
            "engagement": 0.20,
            "support": 0.20,
            "sentiment": 0.15,
            "outcomes": 0.15,
        }
    )
    """Weight of each component: adoption, engagement, support, sentiment, outcomes (any positive numbers; normalised)."""
    bands: Bands = Field(default_factory=Bands)
    """Band thresholds."""

    @field_validator("weights")
    @classmethod
    def _known_components(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(HEALTH_COMPONENTS))
        if unknown:
            raise ValueError(
                f"unknown health component {', '.join(unknown)}; "
                f"expected some of {', '.join(HEALTH_COMPONENTS)}"
            )
        if any(w < 0 for w in value.values()) or not any(w > 0 for w in value.values()):
            raise ValueError("weights must be non-negative and at least one above zero")
        return value


class Paths(Record):
    """Where things live, relative to the workspace folder."""

    accounts: str = "accounts"
    """Folder of account files (YAML, and later XLSX/CSV)."""
    templates: str = "templates"
    """Folder whose files override the built-in theme, file by file."""
    output: str = "output"
    """Folder generated documents are written to."""


class History(Record):
    """The KPI history: every `qbrgen build` (and `qbrgen snapshot`) records the run's key
    facts and KPIs by as_of, so trends and the weekly digest can compare with the past."""

    enabled: bool = True
    """Record every build and read the history for trends, the digest and the scorecard."""
    path: str = "history/qbrgen.sqlite"
    """SQLite file, relative to the workspace, used when no url is set."""
    url: str | None = None
    """A database URL for a team that builds from several machines, e.g. `postgresql+psycopg://qbrgen@db.example/qbrgen` (pip install 'qbrgen[postgres]'). The environment variable QBRGEN_HISTORY_URL overrides it, so a password need not be written here."""


class Deck(Record):
    """QBR deck options."""

    template: str | None = None
    """A corporate .pptx whose slide master and layouts the deck uses (found via the template search path, else relative to the workspace); default the built-in clean theme deck/clean.pptx."""
    layouts: dict[str, str] = Field(default_factory=dict)
    """Map of qbrgen layout roles (title, section, content, chart, table, closing) to layout names in the template; an unmapped role uses the layout with PowerPoint's default English name ('Title Slide', 'Section Header', 'Title and Content', 'Title Only'), else the one whose layout type or placeholders fit (`qbrgen deck-template check FILE` shows which)."""
    slides: str = "deck/qbr.yaml"
    """The deck template (on the template search path) listing the slides, their layouts, words and notes."""
    designed: str | None = None
    """A QBR deck your team already designed (.pptx, found via the template search path, else relative to the workspace): its slides are copied for each account with their `{{ }}` tokens, `qbr:` charts and tables and notes markers filled (docs/designed-decks.md); replaces `slides` and `template` for the deck."""

    @model_validator(mode="after")
    def _one_source(self) -> Deck:
        if self.designed is not None and self.template is not None:
            raise ValueError(
                "deck.designed and deck.template both set: a designed deck brings its own "
                "masters; remove deck.template"
            )
        return self


class Plan(Record):
    """Account plan (PDF) options."""

    page_size: Literal["A4", "Letter"] = "A4"
    """Paper size: A4 or Letter."""
    pdf_ua: bool = False
    """Also make the PDF accessible (PDF/UA) with tags and alt text."""
    pdf_variant: Literal["pdf/a-3u", "none"] = "pdf/a-3u"
    """Archival variant; pdf/a-3u by default."""


class Kits(Record):
    """Hiring and onboarding kits built by `qbrgen build`."""

    build: list[str] = Field(default_factory=lambda: ["junior-saas", "senior-regulated"])
    """Kits to build as '<seniority>-<industry>' pairs."""
    start: dt.date | None = None
    """New hire's first day, for onboarding due dates; default the first Monday on or after as_of."""
    portfolio: bool = False
    """Name real accounts (healthy, smallest first) for shadowing and first ownership."""
    interviewers: list[str] = Field(
        default_factory=lambda: [
            "Hiring manager",
            "Peer account manager",
            "Cross-functional partner",
        ],
        min_length=1,
        max_length=6,
    )
    """Interview panel roles; competencies are shared out between them, one scoring sheet each."""


class Workspace(Record):
    """qbrgen.yaml: everything about a workspace that is not an account."""

    company: Company = Field(default_factory=Company)
    """The company using qbrgen."""
    branding: Branding = Field(default_factory=Branding)
    """Logo, colours and fonts."""
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    """ISO 4217 currency code for money, e.g. USD, EUR, GBP."""
    locale: str = "en_US"
    """Locale for numbers, money and dates, e.g. en_US, en_GB, de_DE."""
    language: str = "en"
    """Language of the team's internal documents (plan, prep brief, digest, scorecard, kits):
    en, de, fr, es or ja. A customer's QBR deck is in the account's `language` (default this
    one); command-line messages stay English."""
    as_of: dt.date | None = None
    """Date the numbers are true at; default today. `--as-of` overrides it."""
    quarter: str | None = Field(default=None, pattern=r"^\d{4}-Q[1-4]$")
    """Review quarter, e.g. '2026-Q3'; default the latest complete quarter before as_of."""
    gross_margin: float = Field(default=0.78, gt=0, le=1)
    """Gross margin (0-1) used for customer lifetime value."""
    escalation_target_days: int = Field(default=14, ge=1)
    """Days an escalation may stay open before it is past target (unless the ticket sets its own)."""
    health: Health = Field(default_factory=Health)
    """Health score weights and bands."""
    labels: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Display names for keys, by kind: e.g. `features: {streaming_views: "Streaming views"}`. Kinds: features, products, segments, components, bands, severities, roles, goal_statuses, risk_statuses, action_statuses, stages, opportunity_types, outcomes, review_kinds, sentiments, influence. Keys without a name are shown readably ('sso_login' -> 'SSO login')."""
    paths: Paths = Field(default_factory=Paths)
    """Where accounts, templates and output live."""
    deck: Deck = Field(default_factory=Deck)
    """QBR deck options."""
    history: History = Field(default_factory=History)
    """Where the KPI history is kept (SQLite in the workspace by default, or PostgreSQL)."""
    plan: Plan = Field(default_factory=Plan)
    """Account plan options."""
    kits: Kits = Field(default_factory=Kits)
    """Hiring kits to build."""

    @field_validator("labels")
    @classmethod
    def _known_label_kinds(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        from qbrgen.labels import KINDS

        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise ValueError(
                f"unknown kind of label {', '.join(unknown)}; expected some of {', '.join(KINDS)}"
            )
        return value

    @field_validator("language")
    @classmethod
    def _shipped_language(cls, value: str) -> str:
        return shipped_language(value)

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"unknown locale {value!r}, e.g. en_US, en_GB, de_DE") from exc
        return value


def shipped_language(value: str) -> str:
    """`value` when qbrgen ships a catalog for it, else a ValueError naming those it has."""
    from qbrgen.i18n import LANGUAGES

    if value not in LANGUAGES:
        raise ValueError(f"unknown language {value!r}; expected one of {', '.join(LANGUAGES)}")
    return value


class LoadedWorkspace:
    """A validated config plus the folder it belongs to."""

    def __init__(self, root: Path, config: Workspace, config_path: Path | None):
        self.root = root
        self.config = config
        self.config_path = config_path

    @property
    def accounts_dir(self) -> Path:
        return self.root / self.config.paths.accounts

    @property
    def templates_dir(self) -> Path:
        return self.root / self.config.paths.templates

    @property
    def output_dir(self) -> Path:
        return self.root / self.config.paths.output


def gross_margin(config: Workspace) -> Decimal:
    """Gross margin as a Decimal, for money arithmetic."""
    return Decimal(str(config.gross_margin))
