"""The pluggable notifier: how a town tells a deputy something (a reception-day notice, ...).

Every town uses the channels its settings name (`settings["notifiers"]`, default in-app and
the call list). A channel is an object with a `key` and `send(...) -> bool`; an SMS or WeChat
adapter registers itself in CHANNELS under its key and is configured per town. None is ever
required: the call list always works, because staff phone the deputies on it.
"""

from __future__ import annotations

from typing import Protocol


class Channel(Protocol):
    key: str

    def send(self, *, deputy, title: str, body: str, dedupe_key: str) -> bool:
        """Deliver one message to one deputy; True when it reached a channel the deputy uses."""


class InApp:
    """A notification in the deputy's account (when the deputy has one)."""

    key = "in_app"

    def send(self, *, deputy, title: str, body: str, dedupe_key: str) -> bool:
        if deputy.user_id is None:
            return False
        from jobs.notify import deliver

        deliver(user_id=deputy.user_id, kind="reception", dedupe_key=dedupe_key, title=title, body=body)
        return True


class CallList:
    """The staff's call list: the deputy appears on it with their phone number until answered."""

    key = "call_list"

    def send(self, *, deputy, title: str, body: str, dedupe_key: str) -> bool:
        return True


CHANNELS: dict[str, Channel] = {"in_app": InApp(), "call_list": CallList()}
DEFAULT = ("in_app", "call_list")


def channels_for(town) -> list[Channel]:
    keys = (town.settings or {}).get("notifiers") or DEFAULT
    return [CHANNELS[k] for k in keys if k in CHANNELS]
