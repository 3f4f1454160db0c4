"""The store's decoded-data columns (``hourwise.store.data_columns``) on their own."""

from __future__ import annotations

import threading

import numpy as np
import orjson

from hourwise.models.missing import MISSING
from hourwise.store.data_columns import DataColumns

DATAS = {
    3: {"app": "Code", "title": "main.py"},
    5: {"app": "Code", "title": "x" * 100},
    8: {"status": "afk"},
    9: {},
    12: {"app": None, "n": 0, "off": False, "tags": ["a", {"b": [1]}], "title": ""},
    40: {"app": "Firefox", "title": "Mail", "url": "https://a.org"},
}


class Fetcher:
    """Serves stored JSON like the database, counting what it was asked for."""

    def __init__(self, datas=DATAS):
        self.texts = {i: orjson.dumps(d, option=orjson.OPT_SORT_KEYS) for i, d in datas.items()}
        self.asked: list[int] = []

    def __call__(self, wanted):
        self.asked += wanted
        return [(i, self.texts[i]) for i in wanted if i in self.texts]


def ids(*numbers):
    return np.array(sorted(numbers), np.int64)


def test_mixed_shapes_come_out_in_columns_with_missing_keys():
    columns = DataColumns(100)
    data = columns.slice(ids(*DATAS), Fetcher())
    assert list(data.columns) == ["app", "n", "off", "status", "tags", "title", "url"]
    assert data.columns["app"].tolist() == ["Code", "Code", MISSING, MISSING, None, "Firefox"]
    assert data.columns["tags"][4] == ["a", {"b": [1]}]  # a list value is kept whole
    for index, ident in enumerate(data.ids.tolist()):
        assert data.dict_at(index) == DATAS[ident]
        assert list(data.dict_at(index)) == sorted(DATAS[ident])  # stored key order


def test_one_shape_gathers_straight_from_its_columns():
    data = DataColumns(100).slice(ids(3, 5), Fetcher())
    assert list(data.columns) == ["app", "title"]
    assert data.columns["title"].tolist() == ["main.py", "x" * 100]


def test_data_is_decoded_once_and_short_strings_are_shared():
    columns, fetch = DataColumns(100), Fetcher()
    first = columns.slice(ids(3, 5), fetch)
    assert first.columns["app"][0] is first.columns["app"][1]
    columns.slice(ids(3, 5, 8), fetch)
    assert sorted(fetch.asked) == [3, 5, 8]
    assert columns.dicts([5, 3, 5], fetch) == {3: DATAS[3], 5: DATAS[5]}
    assert sorted(fetch.asked) == [3, 5, 8]


def test_forgotten_data_is_read_again():
    columns, fetch = DataColumns(100), Fetcher()
    columns.slice(ids(3, 8), fetch)
    columns.forget([8, 1000])  # an id never held is fine
    fetch.texts[8] = b'{"status":"not-afk"}'  # the id was reused for other data
    assert columns.dicts([3, 8], fetch) == {3: DATAS[3], 8: {"status": "not-afk"}}
    assert sorted(fetch.asked) == [3, 8, 8]
    columns.clear()
    columns.slice(ids(3), fetch)
    assert sorted(fetch.asked) == [3, 3, 8, 8]


def test_the_limit_starts_afresh_but_a_larger_read_is_still_answered():
    columns, fetch = DataColumns(3), Fetcher()
    columns.slice(ids(3, 5), fetch)
    columns.slice(ids(8, 9), fetch)  # 4 > 3: starts afresh with these two
    assert len(columns) == 2
    everything = columns.slice(ids(*DATAS), fetch)  # more than the limit at once
    assert [everything.dict_at(i) for i in range(len(DATAS))] == \
        [DATAS[i] for i in sorted(DATAS)]
    assert len(columns) == 6  # held whole until a read adds something
    more = {i: {"n": i} for i in range(100, 110)}
    other = DataColumns(3)
    other_fetch = Fetcher({**DATAS, **more})
    other.slice(ids(*DATAS), other_fetch)
    other.slice(ids(*more), other_fetch)  # a second large read replaces the first
    assert len(other) == len(more)
    columns.forget([3])
    columns.slice(ids(3), fetch)
    assert len(columns) == 1


def test_ids_the_database_does_not_have_read_as_empty_objects():
    data = DataColumns(10).slice(ids(3, 77), Fetcher())
    assert [data.dict_at(0), data.dict_at(1)] == [DATAS[3], {}]


def test_memos_are_kept_by_data_id_and_forgotten_with_the_data():
    columns = DataColumns(100)
    memo = columns.memos.memo("rules")
    work, play = ["Work"], ["Play"]
    codes = memo.remember(ids(3, 40), [work, play])
    assert memo.lookup(ids(3, 5, 40, 10**6)).tolist() == [codes[0], -1, codes[1], -1]
    assert [memo.values[c] for c in codes] == [work, play]
    assert memo.remember(ids(5), [work]).tolist() == [codes[0]]  # one code per value
    columns.forget([3])
    assert memo.lookup(ids(3, 5)).tolist() == [-1, codes[0]]
    assert columns.memos.memo("rules") is memo
    columns.clear()
    assert columns.memos.memo("rules") is not memo


def test_concurrent_reads_beyond_the_limit_each_get_their_data():
    many = {i: {"title": f"t{i}", "app": f"a{i % 7}"} for i in range(1, 400)}
    fetch = Fetcher(many)
    columns = DataColumns(150)  # every read holds more than it: they push each other out
    failures = []

    def read(offset):
        try:
            for _ in range(20):
                wanted = ids(*range(1 + offset, 200 + offset))
                data = columns.slice(wanted, fetch)
                if data.columns["title"].tolist() != [f"t{i}" for i in wanted.tolist()]:
                    failures.append(offset)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=read, args=(k * 50,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def _spilled_count(columns: DataColumns) -> int:
    return sum(int((where >= 0).sum()) for shape in columns._shapes
               for where in shape.spilled if where is not None)


SPILLY = {
    1: {"app": "Firefox", "title": "Ünïcödé — " * 20, "url": "https://example.org/" + "p" * 60},
    2: {"app": "Firefox", "title": "short", "url": "https://example.org/a"},
    3: {"app": "Firefox", "title": "𝄞 music " * 10, "url": None},
    4: {"status": "afk"},
    5: {"app": "Firefox", "title": "", "url": "https://example.org/a", "n": 2.5},
}


def test_long_and_rare_strings_are_kept_on_disk_and_read_back_exactly(tmp_path):
    columns, fetch = DataColumns(100, spill_dir=str(tmp_path)), Fetcher(SPILLY)
    data = columns.slice(ids(*SPILLY), fetch)
    # the long titles and URL, and the medium URL a read has only twice, are spilled
    assert _spilled_count(columns) == 5
    assert list(tmp_path.iterdir()) == []  # an unlinked file
    assert [data.dict_at(i) for i in range(5)] == [SPILLY[i] for i in sorted(SPILLY)]
    assert data.columns.take("title", [2, 0, 2]).tolist() == [
        SPILLY[3]["title"], SPILLY[1]["title"], SPILLY[3]["title"]]
    assert data.columns["url"].tolist() == [SPILLY[1]["url"], SPILLY[2]["url"], None, MISSING,
                                            SPILLY[5]["url"]]
    assert columns.dicts([5, 1], fetch) == {1: SPILLY[1], 5: SPILLY[5]}


def test_common_strings_stay_in_memory_and_shared(tmp_path):
    many = {i: {"app": "org.mozilla.firefox", "title": f"t{i}"} for i in range(1, 101)}
    columns = DataColumns(1000, spill_dir=str(tmp_path))
    data = columns.slice(ids(*many), Fetcher(many))
    assert _spilled_count(columns) == 0  # 100 times the same app name; titles of 2-4 chars
    apps = data.columns["app"]
    assert apps[0] is apps[99]


def test_a_slice_reads_its_data_after_the_cache_started_afresh(tmp_path):
    columns, fetch = DataColumns(5, spill_dir=str(tmp_path)), Fetcher(SPILLY)
    first = columns.slice(ids(1, 3), fetch)
    more = {i: {"title": f"{i}" * 60} for i in range(100, 106)}
    columns.slice(ids(*more), Fetcher(more))  # over the limit: a new spill file
    assert first.columns["title"].tolist() == [SPILLY[1]["title"], SPILLY[3]["title"]]


def test_strings_stay_in_memory_where_the_disk_cannot_take_them(tmp_path, monkeypatch):
    from hourwise.store import spill as spill_module

    def refuse(*args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(spill_module.tempfile, "mkstemp", refuse)
    columns, fetch = DataColumns(100, spill_dir=str(tmp_path)), Fetcher(SPILLY)
    data = columns.slice(ids(*SPILLY), fetch)
    assert _spilled_count(columns) == 0
    assert [data.dict_at(i) for i in range(5)] == [SPILLY[i] for i in sorted(SPILLY)]


def test_a_read_is_decoded_and_added_in_batches(monkeypatch):
    from hourwise.store import data_columns

    monkeypatch.setattr(data_columns, "DECODE_BATCH", 2)
    columns, fetch = DataColumns(100), Fetcher()
    wanted = ids(*DATAS, 77, 78)  # two ids the database does not have
    data = columns.slice(wanted, fetch)
    assert [data.dict_at(i) for i in range(len(wanted))] == \
        [DATAS.get(i, {}) for i in wanted.tolist()]
    assert len(columns) == len(wanted) and sorted(fetch.asked) == wanted.tolist()


def test_a_delete_racing_a_batched_read_is_not_missed(monkeypatch):
    from hourwise.store import data_columns

    monkeypatch.setattr(data_columns, "DECODE_BATCH", 2)
    columns = DataColumns(100)
    texts = Fetcher()

    def fetch(wanted):
        for n, pair in enumerate(texts(wanted)):
            if n == 3 and len(texts.asked) == len(wanted):  # the first read only
                columns.forget([3])  # deleted while the read is under way
            yield pair

    data = columns.slice(ids(*DATAS), fetch)
    assert [data.dict_at(i) for i in range(len(DATAS))] == [DATAS[i] for i in sorted(DATAS)]
    assert sorted(set(texts.asked)) == sorted(DATAS) and len(texts.asked) > len(DATAS)
