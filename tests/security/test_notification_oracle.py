"""Finding 13 (issue 11), the notification-id oracle: `markNotificationRead` answered FORBIDDEN
for someone else's notification and NOT_FOUND for a missing one, so any user could tell which
ids exist. Both are now the same NOT_FOUND, word for word, and nothing changes or is published.
"""

from __future__ import annotations

from .checks import code_of

MARK = "mutation($id: ID!) { markNotificationRead(id: $id) { id read } }"


async def test_someone_elses_notification_looks_missing(live_server, api):
    alice, bob = api("alice"), api("bob")
    await alice("{ viewer { id } }")
    await bob('mutation { follow(userId: "alice") }')  # alice's FOLLOW notification
    [note] = (await alice("{ notifications { id } }"))["notifications"]
    theirs = await bob.raw(MARK, {"id": note["id"]})
    missing_id = str(int(note["id"]) + 1000)
    missing = await bob.raw(MARK, {"id": missing_id})
    assert [code_of(e) for e in theirs["errors"]] == [code_of(e) for e in missing["errors"]] == ["NOT_FOUND"]
    assert theirs["errors"][0]["message"].replace(note["id"], "N") == missing["errors"][0]["message"].replace(
        missing_id, "N"
    )
    assert await alice("{ unreadCount notifications { read } }") == {
        "unreadCount": 1,
        "notifications": [{"read": False}],
    }
    assert (await alice(MARK, {"id": note["id"]}))["markNotificationRead"] == {"id": note["id"], "read": True}
