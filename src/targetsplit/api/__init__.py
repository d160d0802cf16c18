"""The application layer: one module per command, one function each — the Python API.

Each function takes typed arguments, makes the core calls its command needs and
returns a result value with its warnings; it prints nothing and exits nothing
(errors raise :class:`~targetsplit.errors.TargetsplitError`). The command line is
these functions plus parsing and rendering. They are importable from the package::

    from targetsplit import allocate, progress

    result = allocate("examples/fy2026.yaml", by="quarter")
    result.allocation.row("East").targets["revenue"]      # Decimal('48000000')

Warnings are also passed, as they arise, to ``on_warning`` when it is given.
"""
