"""The export job's side of the conversation with a provider client (providers/delivery.py):
each id a provider's step gives is stored, so that no retry repeats a step that worked."""

from __future__ import annotations

from typing import Callable, TypeVar

from core import outbox, quota, tokens
from core.models import DeviceConnection
from providers.errors import ProviderError

T = TypeVar("T")
TRIED = "_tried"  # refs key: the steps whose create may have reached the provider unanswered


class Run:
    """One try of an export job, as the provider client sees it (``call``, ``step``, ``gone``).

    An id the provider gave is committed before the next call to the provider, together
    with the next step's mark (or with the job's end), not in a commit of its own: nothing
    reaches the provider between the answer and that commit, and a step whose id was lost
    all the same is marked as tried, so the next try looks for it."""

    def __init__(self, writes: outbox.Staged, connection: DeviceConnection):
        self.writes, self.connection_id = writes, connection.id
        self.held = tokens.Held(connection)  # the row the job just read: not read again for each call
        self.refs = dict(writes.job.external_refs or {})
        self.staged = True  # the job's claim, uncommitted: it goes with the first call's commit
        self.committed = False  # anything yet

    def call(self, action: Callable[[str], T]) -> T:
        if self.staged:
            self._commit()
        return tokens.with_token(self.connection_id, action, held=self.held)

    def step(self, ref: str, create: Callable[[str], str], find: Callable[[str], str | None] | None = None) -> str:
        if ref in self.refs:
            return self.refs[ref]
        tried = list(self.refs.get(TRIED, []))
        if ref in tried and find is not None:
            found = self.call(find)
            if found is not None:
                return self._stage(ref, found)
        self._save(TRIED, sorted(set(tried) | {ref}))  # before the call: a worker may die during it
        try:
            value = self.call(create)
        except (ProviderError, quota.Throttled) as error:
            if not getattr(error, "ambiguous", False):
                self._save(TRIED, tried)  # refused, or never sent: nothing to look for
            raise
        # (Any other error, an unreadable answer included, keeps the mark: it may have worked.)
        if tried:
            self.refs[TRIED] = tried
        else:
            self.refs.pop(TRIED, None)
        return self._stage(ref, value)

    def gone(self, ref: str) -> None:
        self.refs.pop(ref, None)

    def _save(self, key: str, value):
        """``key`` stored now (a step's mark: before its call)."""
        self._stage(key, value)
        self._commit()
        return value

    def _stage(self, key: str, value):
        """``key`` stored with the job's next commit."""
        self.refs[key] = value
        if key == TRIED and not value:
            self.refs.pop(TRIED)
        self._write()
        self.staged = True
        return value

    def _write(self) -> None:
        self.writes.set(external_refs=dict(self.refs))

    def _commit(self) -> None:
        self.writes.commit()
        self.staged = False
        self.committed = True
