"""The merge rule, checked against aw-core's heartbeat_merge as the oracle."""

from datetime import datetime, timedelta, timezone

from aw_core.models import Event as AwEvent
from aw_transform.heartbeats import heartbeat_merge as aw_merge
from aw_transform.heartbeats import heartbeat_reduce as aw_reduce
from hypothesis import given, settings
from hypothesis import strategies as st

from hourwise.models import Event
from hourwise.transforms.heartbeat import merge_heartbeat, reduce_heartbeats

EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
MS = 1000  # aw-core stores milliseconds: keep generated times on whole milliseconds

times = st.integers(0, 600_000).map(lambda ms: ms * MS)
durations = st.integers(0, 60_000).map(lambda ms: ms * MS)
datas = st.sampled_from([{"app": "a"}, {"app": "b"}, {"app": "a", "title": "t"}])
pulses = st.integers(0, 30_000).map(lambda ms: ms * MS)


def to_aw(event: Event) -> AwEvent:
    return AwEvent(timestamp=EPOCH + timedelta(microseconds=event.start),
                   duration=timedelta(microseconds=event.duration), data=dict(event.data))


def from_aw(event: AwEvent) -> tuple:
    start = round((event.timestamp - EPOCH).total_seconds() * 1_000_000)
    return (start, round(event.duration.total_seconds() * 1_000_000), event.data)


@given(times, durations, datas, times, durations, datas, pulses)
@settings(max_examples=500)
def test_merge_matches_aw_core(s1, d1, data1, s2, d2, data2, pulse):
    last, heartbeat = Event(1, s1, d1, data1), Event(None, s2, d2, data2)
    ours = merge_heartbeat(last, heartbeat, pulse)
    theirs = aw_merge(to_aw(last), to_aw(heartbeat), pulse / 1_000_000)
    if theirs is None:
        assert ours is None
    else:
        assert ours is not None and (ours.start, ours.duration, ours.data) == from_aw(theirs)
        assert ours.id == 1  # the merged event keeps the stored event's identity


@given(st.lists(st.tuples(times, durations, datas), max_size=30).map(lambda b: sorted(b, key=lambda x: x[:2])), pulses)
@settings(max_examples=200)
def test_reduce_matches_aw_core(beats, pulse):
    ours = reduce_heartbeats([Event(None, s, d, data) for s, d, data in beats], pulse)
    theirs = aw_reduce([to_aw(Event(None, s, d, data)) for s, d, data in beats], pulse / 1_000_000)
    assert [(e.start, e.duration, e.data) for e in ours] == [from_aw(e) for e in theirs]


def test_boundaries():
    last = Event(7, 0, 10, {"x": 1})
    assert merge_heartbeat(last, Event(None, 15, 0, {"x": 1}), 5).duration == 15  # at the edge
    assert merge_heartbeat(last, Event(None, 16, 0, {"x": 1}), 5) is None  # past it
    assert merge_heartbeat(last, Event(None, -1, 0, {"x": 1}), 5) is None  # older
    assert merge_heartbeat(last, Event(None, 3, 2, {"x": 1}), 5).duration == 10  # inside: unchanged
    assert merge_heartbeat(last, Event(None, 3, 2, {"x": 2}), 5) is None  # other data
