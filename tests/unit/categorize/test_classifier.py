import re

import pytest

from hourwise.categorize import (
    OVERVIEW_CATEGORIES,
    ActivityOverride,
    CategoryConfig,
    Classifier,
    Rule,
    Subject,
    default_taxonomy,
    from_classes,
    taxonomy_classes,
    to_classes,
)


def test_default_taxonomy_has_rescuetimes_eleven_categories_and_hundreds_of_entries():
    tax = default_taxonomy()
    assert {top for top, _ in tax.levels} == set(OVERVIEW_CATEGORIES)
    assert tax.levels[("Software Development", "Editing & IDEs")] == 2
    assert tax.levels[("Entertainment", "Games")] == -2
    assert tax.levels[("Utilities", "Browsers")] == 0
    assert len(tax.apps) + len(tax.sites) > 600


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (Subject("code"), ("Software Development", "Editing & IDEs", 2)),
        (Subject("Code.exe"), ("Software Development", "Editing & IDEs", 2)),  # Windows
        (Subject("Visual Studio Code"), ("Software Development", "Editing & IDEs", 2)),  # macOS
        (Subject("Gnome-terminal"), ("Software Development", "Systems Operations", 2)),
        (Subject("Spotify"), ("Entertainment", "Music", -2)),
        (Subject("firefox"), ("Utilities", "Browsers", 0)),
        (Subject("gist.github.com", site=True), ("Software Development", "General Software Development", 2)),
        (Subject("news.ycombinator.com", site=True), ("News & Opinion", "General News & Opinion", -2)),
        (Subject("docs.google.com", site=True, path="spreadsheets/d/1"), ("Business", "General Business", 2)),
        (Subject("docs.google.com", site=True, path="document/d/1"), ("Design & Composition", "Writing", 2)),
        (Subject("localhost:8000", site=True), ("Software Development", "General Software Development", 2)),
        (Subject("some-unknown-tool"), ("Uncategorized", "Uncategorized", 0)),
        (Subject("unknown.example", site=True), ("Uncategorized", "Uncategorized", 0)),
    ],
)
def test_shipped_defaults(subject, expected):
    c = Classifier()(subject)
    assert (c.top, c.sub, c.level) == expected


def test_user_rules_win_over_defaults_deepest_then_latest():
    config = CategoryConfig(rules=[
        Rule(("Work",), "code"),
        Rule(("Work", "Hourwise"), "hourwise", ignore_case=True),
        Rule(("Work", "Other"), "HOURWISE", ignore_case=True),  # same depth, later: wins
    ], levels={("Work",): 1, ("Work", "Hourwise"): 2})
    classify = Classifier(config)
    c = classify(Subject("code", "code", "a.py - x"))
    assert (c.top, c.sub, c.level) == ("Work", "General Work", 1)
    c = classify(Subject("code", "code", "a.py - Hourwise"))
    assert (c.top, c.sub, c.level) == ("Work", "Other", 1)  # level inherited from "Work"


def test_rule_fields_and_priority():
    config = CategoryConfig(rules=[
        Rule(("A",), "github", fields=("domain",), priority=100),
        Rule(("B", "Deep"), "github"),
    ])
    classify = Classifier(config)
    assert classify(Subject("github.com", "firefox", "x", "https://github.com/", True)).top == "A"
    # a window title mentioning github is not a domain: only the deeper rule matches
    assert classify(Subject("firefox", "firefox", "github - Firefox")).top == "B"


def test_activity_overrides_category_and_level():
    config = CategoryConfig(overrides={
        "reddit.com": ActivityOverride(level=1),
        "slack": ActivityOverride(category=("Business", "Operations")),
    })
    classify = Classifier(config)
    c = classify(Subject("reddit.com", site=True))
    assert (c.top, c.sub, c.level) == ("Entertainment", "General Entertainment", 1)
    c = classify(Subject("Slack"))
    assert (c.top, c.sub, c.level) == ("Business", "Operations", 2)


def test_each_distinct_subject_is_classified_once():
    classify = Classifier(CategoryConfig(rules=[Rule(("X",), "a")]))
    calls = []
    inner = classify._classify
    classify._classify = lambda s: calls.append(s) or inner(s)  # type: ignore[method-assign]
    for _ in range(1000):
        classify(Subject("app", "app", "t1"))
        classify(Subject("app", "app", "t2"))
    assert len(calls) == 2


def test_broken_regex_matches_nothing():
    c = Classifier(CategoryConfig(rules=[Rule(("X",), "(")]))(Subject("code"))
    assert c.top == "Software Development"


WEBUI = [
    {"id": 0, "name": ["Work"], "rule": {"type": "regex", "regex": "Google Docs|libreoffice"},
     "data": {"color": "#0F0", "score": 1}},
    {"id": 1, "name": ["Work", "Programming"],
     "rule": {"type": "regex", "regex": "GitHub|code", "ignore_case": True},
     "data": {"score": 7}},
    {"id": 2, "name": ["Media"], "rule": {"type": "none"}, "data": {"score": -1}},
    {"id": 3, "name": ["Uncategorized"], "rule": {"type": None}, "data": {"color": "#ccc"}},
    "garbage",
    {"id": 4, "name": [], "rule": {"type": "regex", "regex": "x"}},
]


def test_from_classes_reads_the_webui_format():
    config = from_classes(WEBUI, {"Spotify": {"category": ["Media", "Music"], "score": 2}})
    assert config.levels == {("Work",): 1, ("Work", "Programming"): 2, ("Media",): -1}
    assert [r.path for r in config.rules] == [("Work",), ("Work", "Programming")]
    classify = Classifier(config)
    c = classify(Subject("code", "code", "x"))
    assert (c.top, c.sub, c.level) == ("Work", "Programming", 2)  # score 7 clamped to 2
    c = classify(Subject("Spotify", "Spotify", "song"))
    assert (c.top, c.sub, c.level) == ("Media", "Music", 2)


def test_to_classes_round_trip_keeps_webui_fields():
    config = from_classes(WEBUI)
    out = to_classes(config)
    assert out[:4] == WEBUI[:2] + [WEBUI[2]] + [WEBUI[3]] or out[0]["data"]["color"] == "#0F0"
    assert out[0] == WEBUI[0]
    assert out[1]["data"]["score"] == 2  # normalised to a level
    assert out[3] == WEBUI[3]
    again = from_classes(out)
    assert again.rules == config.rules and again.levels == config.levels
    config.rules.append(Rule(("Work", "Writing"), "obsidian", ignore_case=True))
    config.levels[("Work", "Writing")] = 2
    added = to_classes(config)[-1]
    assert added == {"id": 4, "name": ["Work", "Writing"],
                     "rule": {"type": "regex", "regex": "obsidian", "ignore_case": True},
                     "data": {"score": 2}}


def test_taxonomy_as_classes_classifies_like_the_taxonomy():
    classes = taxonomy_classes()
    tops = [c for c in classes if len(c["name"]) == 1]
    assert len(tops) == 11
    for c in classes:
        if c["rule"]["type"] == "regex":
            re.compile(c["rule"]["regex"])
    classify = Classifier(from_classes(classes, defaults=False))  # every class a rule
    default = Classifier()
    for s in [Subject("code", "code", "x"), Subject("Spotify", "Spotify"),
              Subject("github.com", "firefox", "t", "https://github.com/a", True, "a"),
              Subject("mail.google.com", "firefox", "t", "https://mail.google.com/", True)]:
        assert classify(s) == default(s), s


GITHUB = Subject("github.com", "firefox", "t", "https://github.com/a", True, "a")
CODE = Subject("code", "code", "main.py")


def triple(c):
    return (c.top, c.sub, c.level)


def test_shipped_classes_are_the_taxonomy_not_user_rules():
    config = from_classes(taxonomy_classes())
    assert config.rules == [] and config.disabled_defaults == frozenset()
    for subject in (CODE, GITHUB, Subject("Spotify", "Spotify"), Subject("unknown-app")):
        assert Classifier(config)(subject) == Classifier()(subject)
    # shipped rules rank below any rule the web UI makes without a priority (10 x depth)
    ranks = [c["rule"].get("priority") for c in taxonomy_classes() if c["rule"]["type"] == "regex"]
    assert ranks and all(r is not None and 1 <= r < 10 for r in ranks)


def test_user_rule_added_to_shipped_classes_wins_over_them():
    classes = taxonomy_classes()
    # the web UI adds a one-level category whose rule also matches code and github.com
    classes.append({"id": 999, "name": ["Fun"], "rule": {"type": "regex", "regex": "github|^code$"},
                    "data": {"score": -1}})
    classify = Classifier(from_classes(classes))
    assert triple(classify(CODE)) == ("Fun", "General Fun", -1)
    assert triple(classify(GITHUB)) == ("Fun", "General Fun", -1)
    assert triple(classify(Subject("Spotify", "Spotify"))) == ("Entertainment", "Music", -2)


def test_deleting_a_shipped_class_switches_that_part_of_the_taxonomy_off():
    classes = [c for c in taxonomy_classes()
               if not (c["name"] == ["Software Development", "Editing & IDEs"]
                       and c["rule"].get("select_keys") == ["app"])]
    config = from_classes(classes)
    assert config.disabled_defaults == {(("Software Development", "Editing & IDEs"), "app")}
    classify = Classifier(config)
    assert triple(classify(CODE)) == ("Uncategorized", "Uncategorized", 0)
    assert triple(classify(GITHUB)) == ("Software Development", "General Software Development", 2)


def test_editing_a_shipped_class_makes_it_a_user_rule_and_changing_a_score_is_kept():
    classes = taxonomy_classes()
    for c in classes:
        if c["name"] == ["Software Development", "Editing & IDEs"] and c["rule"].get("select_keys") == ["app"]:
            c["rule"]["regex"] = c["rule"]["regex"].replace("^(?:", "^(?:myeditor|", 1)
        if c["name"] == ["Entertainment", "Music"]:
            c["data"]["score"] = 1  # the web UI's score edit leaves the rule alone
    config = from_classes(classes)
    assert len(config.rules) == 1
    classify = Classifier(config)
    assert triple(classify(Subject("MyEditor", "MyEditor"))) == ("Software Development", "Editing & IDEs", 2)
    assert triple(classify(CODE)) == ("Software Development", "Editing & IDEs", 2)
    assert triple(classify(Subject("Spotify", "Spotify"))) == ("Entertainment", "Music", 1)


def test_user_classes_without_shipped_ones_keep_the_taxonomy_underneath():
    config = from_classes([{"name": ["Work"], "rule": {"type": "regex", "regex": "^code$"}}])
    assert config.disabled_defaults == frozenset()
    classify = Classifier(config)
    assert triple(classify(CODE))[:2] == ("Work", "General Work")
    assert triple(classify(Subject("Spotify", "Spotify"))) == ("Entertainment", "Music", -2)


def test_to_classes_keeps_shipped_rules():
    classes = taxonomy_classes()
    assert to_classes(from_classes(classes)) == classes
