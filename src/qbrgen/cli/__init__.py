"""The `qbrgen` command line. Imports stay lazy so `qbrgen --help` starts fast: no document
library (python-pptx, WeasyPrint, openpyxl) and no Pydantic model is imported until a
command needs it.

One module per command group: `workspace` (init, validate, kpis, schema, demo-data,
template-workbook), `documents` (build, qbr, plan, scorecard, digest, kit, clean), `templates`
(templates, deck-template check), `history` (snapshot, history), `importing` (import);
`_common` holds the options and helpers they share. This module is the `qbrgen` group.
"""

from __future__ import annotations

import click

from qbrgen.cli import documents, history, importing, templates, workspace


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qbrgen")
def main() -> None:
    """qbrgen: QBR decks, account plans, a portfolio scorecard and hiring kits from account data.

    Run commands inside a workspace (a folder with qbrgen.yaml, accounts/ and templates/).
    """


main.add_command(workspace.init)
main.add_command(workspace.validate)
main.add_command(workspace.kpis)
main.add_command(workspace.schema)
main.add_command(workspace.demo_data)
main.add_command(workspace.template_workbook)
main.add_command(templates.templates)
main.add_command(templates.deck_template)
main.add_command(documents.build)
main.add_command(documents.qbr)
main.add_command(documents.plan)
main.add_command(documents.scorecard)
main.add_command(documents.digest)
main.add_command(documents.kit)
main.add_command(documents.clean)
main.add_command(history.snapshot)
main.add_command(history.history)
main.add_command(importing.import_)

__all__ = ["main"]
