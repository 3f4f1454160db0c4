"""Categories and productivity: what each activity is, and how productive.

One model serves both worlds: ActivityWatch's web UI edits it as the ``classes`` setting
(a two-level name path is RescueTime's category and sub-category, ``data.score`` the
productivity level), and the RescueTime API reports with it. User rules win over the
shipped default taxonomy (``defaults.toml``); per-activity overrides win over both.
"""

from hourwise.categorize.classes import from_classes, taxonomy_classes, to_classes
from hourwise.categorize.classifier import Classification, Classifier, Subject
from hourwise.categorize.model import (
    LEVEL_NAMES,
    OVERVIEW_CATEGORIES,
    UNCATEGORIZED,
    ActivityOverride,
    CategoryConfig,
    Rule,
)
from hourwise.categorize.taxonomy import Taxonomy, default_taxonomy

__all__ = [
    "LEVEL_NAMES",
    "OVERVIEW_CATEGORIES",
    "UNCATEGORIZED",
    "ActivityOverride",
    "CategoryConfig",
    "Classification",
    "Classifier",
    "Rule",
    "Subject",
    "Taxonomy",
    "default_taxonomy",
    "from_classes",
    "taxonomy_classes",
    "to_classes",
]
