"""The newest schema revision, read from the migration scripts' headers.

Starting a server on a database that is already up to date should not load Alembic
and the migration scripts (they would stay in memory for the life of the process), so
the newest revision is found by reading each script's ``revision`` and
``down_revision`` lines. A test checks the answer against Alembic's own.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_HEADER = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)


@lru_cache(maxsize=1)
def newest_revision() -> str:
    """The one revision no other migration builds on."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        header = dict(_HEADER.findall(script.read_text(encoding="utf-8")))
        if "revision" not in header:  # the package's __init__.py
            continue
        revisions.add(ast.literal_eval(header["revision"]))
        parent = ast.literal_eval(header.get("down_revision", "None"))
        if isinstance(parent, str):
            parents.add(parent)
        elif parent:  # a merge revision names several
            parents.update(parent)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} newest revisions: {sorted(heads)}")
    return heads.pop()
