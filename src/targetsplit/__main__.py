"""Allow ``python -m targetsplit``."""

from targetsplit.cli import main

main()
