"""Allow ``python -m qbrgen``."""

from qbrgen.cli import main

main()
