"""A coach's library: workouts kept by name and tags, to place on athletes' days.

An entry holds the workout as written (zones and percents unresolved): placing it on a day
copies it into a session, and each session resolves it against its own athlete's
thresholds at export.  Editing an entry later changes no session already placed.

Tags live in their own table rather than in a JSON column: filtering by tag is then the
same plain SQL on SQLite and PostgreSQL (no dialect's JSON operators), one entry cannot
hold a tag twice (the primary key), and a coach's tags are one query for the filter.
Both the name and each tag keep a case-folded key beside what the coach wrote, so that a
search is case-insensitive for every alphabet (SQLite's ``lower()`` folds ASCII only).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..clock import real_now
from ..db import db

NAME_MAX = 80
TAG_MAX = 30
TAGS_MAX = 10


def search_key(text: str) -> str:
    """What a search compares: the text case-folded (``Straße`` and ``STRASSE`` alike)."""
    return text.casefold()


class LibraryWorkout(db.Model):
    __tablename__ = "library_workouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    # Case folding may lengthen a text (ß is ss): room for three times the name.
    name_key: Mapped[str] = mapped_column(String(NAME_MAX * 3))
    workout: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=real_now)
    updated_at: Mapped[datetime] = mapped_column(default=real_now)

    tag_rows: Mapped[list["LibraryTag"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="LibraryTag.position", lazy="selectin")

    @validates("name")
    def _keep_key(self, _key: str, name: str) -> str:
        self.name_key = search_key(name)
        return name

    @property
    def tags(self) -> list[str]:
        return [row.label for row in self.tag_rows]

    @tags.setter
    def tags(self, labels: list[str]) -> None:
        """Replace the tags; a tag kept keeps its row (its key is the primary key's half)."""
        wanted = {search_key(label): (position, label) for position, label in enumerate(labels)}
        self.tag_rows = [row for row in self.tag_rows if row.key in wanted]
        kept = {row.key: row for row in self.tag_rows}
        for key, (position, label) in wanted.items():
            row = kept.get(key)
            if row is None:
                row = LibraryTag(key=key, label=label, position=position)
                self.tag_rows.append(row)
            row.label, row.position = label, position
        self.tag_rows.sort(key=lambda row: row.position)


class LibraryTag(db.Model):
    __tablename__ = "library_workout_tags"

    workout_id: Mapped[int] = mapped_column(ForeignKey("library_workouts.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(TAG_MAX * 3), primary_key=True, index=True)
    label: Mapped[str] = mapped_column(String(TAG_MAX))
    position: Mapped[int] = mapped_column(default=0)  # the coach's order

    entry: Mapped[LibraryWorkout] = relationship(back_populates="tag_rows")
