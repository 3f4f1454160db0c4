"""The column cache's blocks (``hourwise.store.column_cache.Block``) keep every value."""

from __future__ import annotations

import numpy as np

from hourwise.store import spill as spill_module
from hourwise.store.column_cache import Block, ColumnCache
from hourwise.store.spill import SpillFile

BIG = 2**40


def _columns(block: Block, mask=None) -> list[list[int]]:
    count = len(block) if mask is None else int(mask.sum())
    out = [np.empty(count, np.int64) for _ in range(4)]
    block.write(mask, *out)
    return [column.tolist() for column in out]


def test_narrow_and_wide_values_come_back_exactly():
    ids = np.array([BIG + 5, 7, BIG], np.int64)  # too far apart for int32 offsets
    starts = np.array([BIG * 3, -(2**50), 0], np.int64)
    ends = starts + np.array([2**33, 0, 1], np.int64)  # one duration beyond int32
    data_ids = np.array([12, 10, 11], np.int64) + 2**33  # narrow, from a base beyond int32
    block = Block(ids, starts, ends, data_ids)
    assert _columns(block) == [ids.tolist(), starts.tolist(), ends.tolist(), data_ids.tolist()]
    assert block.ends().tolist() == ends.tolist()
    mask = np.array([True, False, True])
    assert _columns(block, mask) == [
        ids[mask].tolist(), starts[mask].tolist(), ends[mask].tolist(), data_ids[mask].tolist()]


def test_an_empty_block():
    empty = np.empty(0, np.int64)
    block = Block(empty, empty, empty, empty)
    assert len(block) == 0 and _columns(block) == [[], [], [], []]


def test_a_spilled_block_reads_back_every_value(tmp_path):
    ids = np.array([BIG + 5, 7, BIG], np.int64)
    starts = np.array([BIG * 3, -(2**50), 0], np.int64)
    ends = starts + np.array([2**33, 0, 1], np.int64)
    data_ids = np.array([12, 10, 11], np.int64) + 2**33
    spill = SpillFile(str(tmp_path))
    other = Block(ids[:1], starts[:1], ends[:1], data_ids[:1]).spilled_to(spill)  # not at 0
    spilled = Block(ids, starts, ends, data_ids).spilled_to(spill)
    assert spilled is not None and other is not None
    assert spilled.starts.nbytes == 0  # nothing kept in memory but the layout
    assert list(tmp_path.iterdir()) == []  # the file is unlinked at once
    loaded = spilled.loaded()
    assert _columns(loaded) == [ids.tolist(), starts.tolist(), ends.tolist(), data_ids.tolist()]
    assert _columns(other.loaded()) == [ids[:1].tolist(), starts[:1].tolist(),
                                        ends[:1].tolist(), data_ids[:1].tolist()]


def test_blocks_stay_in_memory_when_the_file_cannot_be_written(tmp_path, monkeypatch):
    spill = SpillFile(str(tmp_path / "missing" / "dir"))
    monkeypatch.setattr(spill_module.tempfile, "mkstemp", _refuse)
    block = Block(*(np.arange(3, dtype=np.int64) for _ in range(4)))
    assert block.spilled_to(spill) is None
    cache = ColumnCache(spill_dir=str(tmp_path))
    cache._spill = spill
    cache.put((1, "b"), {5: block}, cache.clock())
    assert cache.get((1, "b"), 5, 5)[5] is block


def _refuse(*args, **kwargs):
    raise OSError("read-only file system")


def test_a_new_spill_file_once_most_of_the_old_one_is_dropped(tmp_path):
    cache = ColumnCache(spill_dir=str(tmp_path))
    cache.min_spill_garbage = 1 << 20
    first = cache._spill
    n = 200_000
    big = Block(*(np.arange(n, dtype=np.int64) for _ in range(4)))
    kept = {}
    for number in range(5):
        cache.put((1, "b"), {number: big}, cache.clock())
        kept[number] = cache.get((1, "b"), number, number)[number]
    assert first.size == 5 * n * 20
    cache.changed(1, "b", None, None)  # the whole bucket written: every block dropped
    cache.put((1, "b"), {9: big}, cache.clock())
    assert cache._spill is not first  # 16 MB of 20 dropped: a new file
    assert _columns(cache.get((1, "b"), 9, 9)[9].loaded())[0] == list(range(n))
    # a read still holding a block of the old file reads it
    assert _columns(kept[0].loaded())[3] == list(range(n))


def test_reads_begun_after_a_write_are_kept_and_reads_begun_before_it_are_not(tmp_path):
    cache = ColumnCache(spill_dir=str(tmp_path))
    block = Block(*(np.arange(3, dtype=np.int64) for _ in range(4)))
    before = cache.clock()
    cache.changed(1, "b", 0, 10)  # a write to block 0, announced after its commit
    cache.put((1, "b"), {0: block}, before)  # read may predate the write: not kept
    assert cache.get((1, "b"), 0, 0) == {}
    cache.put((1, "b"), {0: block}, cache.clock())  # read began after it: kept
    assert list(cache.get((1, "b"), 0, 0)) == [0]
    cache.changed(1, "b", None, None)
    cache.put((1, "b"), {1: block}, cache.clock())
    assert list(cache.get((1, "b"), 1, 1)) == [1]


def test_closing_the_cache_closes_its_file(tmp_path):
    cache = ColumnCache(spill_dir=str(tmp_path))
    block = Block(*(np.arange(3, dtype=np.int64) for _ in range(4)))
    cache.put((1, "b"), {0: block}, cache.clock())
    spill = cache._spill
    assert spill._fd is not None
    cache.close()
    assert spill._fd is None and cache.get((1, "b"), 0, 0) == {}
    cache.put((1, "b"), {0: block}, cache.clock())  # usable again, in a new file
    assert _columns(cache.get((1, "b"), 0, 0)[0].loaded())[0] == [0, 1, 2]
