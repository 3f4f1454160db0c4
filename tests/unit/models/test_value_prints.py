"""Fingerprints of data values (``hourwise.models.value_prints``) group as equality does."""

from __future__ import annotations

from unittest import mock

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from hourwise.models.missing import MISSING
from hourwise.models.value_prints import OtherValues, group_numbers, value_prints
from hourwise.store.data_columns import DataColumns
from hourwise.transforms.columnar import table as table_module
from hourwise.transforms.columnar.table import KeyedTable
from hourwise.transforms.merge import freeze

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2).map(round)
    | st.text(max_size=3) | st.sampled_from(["é" * 60, "x" * 49, "https://a.org/" + "p" * 40]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner,
                                                                 max_size=2),
    max_leaves=6)


def _partition(keys) -> list[list[int]]:
    """Positions grouped by equal keys (Python dict semantics), in first-seen order."""
    groups: dict = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    return sorted(groups.values())


def _partition_of(numbers) -> list[list[int]]:
    groups: dict = {}
    for i, number in enumerate(numbers.tolist()):
        groups.setdefault(number, []).append(i)
    return sorted(groups.values())


@settings(max_examples=200, deadline=None)
@given(st.lists(JSON, max_size=30))
def test_fingerprints_group_values_as_equality_does(values):
    numbers = group_numbers([value_prints(values, OtherValues())])
    assert _partition_of(numbers) == _partition([freeze(v) for v in values])


def test_one_two_and_true_and_missing():
    values = [1, 1.0, True, 2, None, MISSING, MISSING, "1", [1], [1.0], {"a": [1]}, {"a": [True]}]
    numbers = group_numbers([value_prints(values, OtherValues())]).tolist()
    assert numbers[0] == numbers[1] == numbers[2] and numbers[5] == numbers[6]
    assert len({numbers[0], *numbers[3:8]}) == 5  # 1, 2, None, MISSING, "1"
    assert numbers[8] == numbers[9] and numbers[10] == numbers[11] and numbers[8] != numbers[10]


def test_several_keys_group_by_all_of_them():
    a = value_prints(["x", "x", "y", "y"], OtherValues())
    b = value_prints([1, 2, 1, 1], OtherValues())
    assert group_numbers([a, b]).tolist()[2] == group_numbers([a, b]).tolist()[3]
    assert len(set(group_numbers([a, b]).tolist())) == 3


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["é" * 60, "a" * 30, "short", "b" * 30, None, 3]), max_size=90))
def test_stored_strings_on_disk_and_in_memory_share_fingerprints(titles):
    with mock.patch.object(table_module, "FINGERPRINT_FROM", 0):
        _check_stored_fingerprints(titles)


def _check_stored_fingerprints(titles):
    """The same string spilled in one read and kept in memory in another (common there)
    is one group; so is it across the parts of a joined table."""
    datas = {i + 1: {"title": t} for i, t in enumerate(titles)}
    texts = {i: orjson.dumps(d) for i, d in datas.items()}
    columns = DataColumns(1000)
    ids = np.array(sorted(datas), np.int64)
    halves = [ids[: len(ids) // 2], ids[len(ids) // 2 :]]
    tables = [KeyedTable(part, columns.slice(part, lambda w: [(i, texts[i]) for i in w]).columns)
              for part in halves]
    joined = KeyedTable.joined(tables)
    codes = joined.value_codes(["title"], np.arange(len(titles)))
    assert _partition_of(codes) == _partition(titles)


def test_a_string_kept_in_memory_in_one_read_and_on_disk_in_another_is_one_group(monkeypatch):
    monkeypatch.setattr(table_module, "FINGERPRINT_FROM", 0)
    common = "c" * 30
    datas = {i: {"title": common} for i in range(1, 41)}  # common in the first read
    datas[41] = {"title": common}  # alone (so spilled) in the second
    datas[42] = {"title": "d" * 30}
    texts = {i: orjson.dumps(d) for i, d in datas.items()}
    columns = DataColumns(1000)
    parts = [np.arange(1, 41, dtype=np.int64), np.array([41, 42], np.int64)]
    tables = [KeyedTable(p, columns.slice(p, lambda w: [(i, texts[i]) for i in w]).columns)
              for p in parts]
    assert sum(int((w >= 0).sum()) for shape in columns._shapes
               for w in shape.spilled if w is not None) == 2
    codes = KeyedTable.joined(tables).value_codes(["title"], np.arange(42)).tolist()
    assert len(set(codes[:41])) == 1 and codes[41] != codes[0]


def test_small_tables_group_by_value_not_by_fingerprint():
    datas = {1: {"title": "é" * 60}, 2: {"title": "é" * 60}}
    columns = DataColumns(10)
    part = np.array([1, 2], np.int64)
    table = KeyedTable(part, columns.slice(part, lambda w: [(i, orjson.dumps(datas[i]))
                                                            for i in w]).columns)
    assert table.value_codes(["title"], np.arange(2)) is None
