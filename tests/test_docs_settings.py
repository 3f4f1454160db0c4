"""Every setting is documented in docs/settings.md with its environment variable."""

from pathlib import Path

from hourwise.settings import Settings

DOC = (Path(__file__).parent.parent / "docs" / "settings.md").read_text()


def test_every_setting_is_documented():
    missing = [
        name for name in Settings.model_fields
        if f"`{name}`" not in DOC or f"`HOURWISE_{name.upper()}`" not in DOC
    ]
    assert not missing, f"document these settings in docs/settings.md: {missing}"


def test_no_documented_setting_is_stale():
    rows = [line for line in DOC.splitlines() if line.startswith("| `")]
    names = {row.split("`")[1] for row in rows}
    assert names <= set(Settings.model_fields)
