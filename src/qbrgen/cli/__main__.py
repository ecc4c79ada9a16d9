"""`python -m qbrgen.cli`: the same as the `qbrgen` command."""

from qbrgen.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
