"""The column cache's blocks (``hourwise.store.column_cache.Block``) keep every value."""

from __future__ import annotations

import numpy as np

from hourwise.store.column_cache import Block

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
