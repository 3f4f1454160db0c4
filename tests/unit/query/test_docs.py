"""docs/query-language.md documents every registered function, from its docstring."""

from __future__ import annotations

from pathlib import Path

from hourwise.query import reference
from hourwise.query.functions import REGISTRY

DOC = Path(__file__).resolve().parents[3] / "docs" / "query-language.md"


def test_every_function_has_a_docstring():
    missing = [name for name, function in REGISTRY.items() if not function.doc.strip()]
    assert not missing, f"query functions without a docstring: {missing}"


def test_reference_section_is_up_to_date():
    text = DOC.read_text()
    assert reference.section(text) == reference.render(), (
        "docs/query-language.md is out of date: run "
        "python -m hourwise.query.reference docs/query-language.md"
    )
    for name, function in REGISTRY.items():
        assert f"### `{function.signature}`" in text, name
