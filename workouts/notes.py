"""What a converter, a file writer or a file reader changed, said once per change.

A note names the step it is about by its path in the coach's workout (``steps[1].steps[0]``),
or ``sport`` / ``steps`` for the workout as a whole, or nothing, and says what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Notes:
    """The changes a converter makes, each once, in the order met."""

    items: list[str] = field(default_factory=list)

    def add(self, path: str, text: str) -> None:
        note = f"{path}: {text}" if path else text
        if note not in self.items:
            self.items.append(note)
