"""The events listing is written straight from stored rows: it must read back as the
events themselves, whatever the data holds."""

import orjson
from hypothesis import given
from hypothesis import strategies as st

from hourwise.api.activitywatch.schemas import listing_json
from hourwise.models import format_timestamp

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
DATA = st.dictionaries(st.text(), JSON_VALUES, max_size=4)
ROW = st.tuples(
    st.integers(1, 2**62),
    st.integers(0, 4_102_444_800_000_000),  # up to 2100
    st.integers(0, 10**12),
    st.integers(0, 5),
)


@given(st.lists(ROW, max_size=30), st.lists(DATA, min_size=6, max_size=6))
def test_listing_reads_back_as_the_events(rows, datas):
    texts = {index: orjson.dumps(data).decode() for index, data in enumerate(datas)}
    stored = [(ident, start, start + length, data_id) for ident, start, length, data_id in rows]
    expected = [
        {
            "id": ident,
            "timestamp": format_timestamp(start),
            "duration": (end - start) / 1_000_000,
            "data": datas[data_id],
        }
        for ident, start, end, data_id in stored
    ]
    assert orjson.loads(listing_json(stored, texts)) == expected


def test_listing_of_nothing_and_of_non_ascii_titles():
    assert listing_json([], {}) == b"[]"
    texts = {7: '{"app":"Zoë","title":"日本語 ✓ 🎉"}', 8: '{"app":"x"}'}
    body = listing_json([(1, 0, 1_500_000, 7), (2, 1_000_000, 1_000_000, 8)], texts)
    assert body == (
        '[{"id":1,"timestamp":"1970-01-01T00:00:00+00:00","duration":1.5,'
        '"data":{"app":"Zoë","title":"日本語 ✓ 🎉"}},'
        '{"id":2,"timestamp":"1970-01-01T00:00:01+00:00","duration":0.0,"data":{"app":"x"}}]'
    ).encode()
