"""``python -m csto_db.cli``: the command line, as the ``csto-db`` script runs it."""

from . import main

main()
