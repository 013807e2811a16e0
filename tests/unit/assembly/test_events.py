from __future__ import annotations

import json

from assembly.events import Event
from assembly.web.fanout import event_seq


def test_participants_get_a_tick_where_they_must_not_see_the_change() -> None:
    event = Event(7, 42, "proposal.created", {"proposal": {"text": "ลับ"}}, None)
    staff = json.loads(event.message(staff=True, ts=1.5))
    public = json.loads(event.message(staff=False, ts=1.5))
    assert staff == {
        "seq": 42,
        "type": "proposal.created",
        "ts": 1500,
        "data": {"proposal": {"text": "ลับ"}},
    }
    assert public == {"seq": 42, "type": "tick", "ts": 1500, "data": {}}


def test_thai_stays_readable_in_messages_and_the_sequence_is_read_without_parsing() -> None:
    message = Event(1, 1234567, "x", {"t": "สมัชชา"}, {"t": "สมัชชา"}).message(staff=False, ts=0)
    assert "สมัชชา" in message
    assert event_seq(message.encode()) == 1234567
