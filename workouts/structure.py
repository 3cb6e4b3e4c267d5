"""Rebuilding repeat blocks from a normalized workout's flat steps.

Providers take native repeats (a Garmin WorkoutRepeatStep, a Wahoo repeat interval, a FIT
``repeat_until_steps_cmplt`` step), so a converter turns the flat list back into a tree:
consecutive steps that share an enclosing block form one repeat, whose body is the steps
of its first iteration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass
class Repeat:
    count: int
    steps: list["Node"] = field(default_factory=list)
    path: str = ""

    @property
    def expanded(self) -> int:
        return self.count * expanded_count(self.steps)


Node = Union[dict, Repeat]


def regroup(steps: list[dict], depth: int = 0) -> list[Node]:
    nodes: list[Node] = []
    index = 0
    while index < len(steps):
        step = steps[index]
        if len(step["blocks"]) <= depth:
            nodes.append(step)
            index += 1
            continue
        block = step["blocks"][depth]
        end = index
        while (end < len(steps) and len(steps[end]["blocks"]) > depth
               and steps[end]["blocks"][depth]["path"] == block["path"]):
            end += 1
        first = [s for s in steps[index:end] if s["blocks"][depth]["iteration"] == 1]
        nodes.append(Repeat(block["repeat"], regroup(first, depth + 1), block["path"]))
        index = end
    return nodes


def expanded_count(nodes: list[Node]) -> int:
    return sum(node.expanded if isinstance(node, Repeat) else 1 for node in nodes)


def flatten(nodes: list[Node]) -> list[dict]:
    """The steps a list of nodes expands to, in the order the athlete does them."""
    out: list[dict] = []
    for node in nodes:
        if isinstance(node, Repeat):
            for _ in range(node.count):
                out.extend(flatten(node.steps))
        else:
            out.append(node)
    return out


def native_tree(steps: list[dict]) -> list[Node]:
    """:func:`regroup`, refusing flat steps whose repeat iterations do not add up.

    Only a hand-edited normalized workout can fail here; the normalizer's output never does.
    """
    from .validation import Problem, WorkoutInvalid

    nodes = regroup(steps)
    if [s["path"] for s in flatten(nodes)] != [s["path"] for s in steps]:
        raise WorkoutInvalid([Problem("steps", "repeat block iterations are incomplete or out of order")])
    return nodes
