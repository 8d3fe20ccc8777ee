"""`python -m battrace` is the `battrace` command."""

from battrace.cli import main

main()
