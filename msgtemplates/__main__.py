"""Run the command line: ``python -m msgtemplates``."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
