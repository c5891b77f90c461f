"""Run the command line: ``python -m msgtemplates``."""

from __future__ import annotations

from .cli import main

# Guarded so that worker processes of ``check --jobs``, which import the main module under
# another name, do not run the command line again.
if __name__ == "__main__":
    raise SystemExit(main())
