"""The command line: parse the arguments, make one call to :mod:`targetsplit.api`,
render the result with :mod:`targetsplit.report`, return the exit code.

``main`` is the only place that prints an error or exits.
"""

from targetsplit.cli.main import main

__all__ = ["main"]
