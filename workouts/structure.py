"""Rebuilding repeat blocks from a normalized workout's flat steps.

Providers take native repeats (a Garmin WorkoutRepeatStep, a Wahoo repeat interval, a FIT
``repeat_until_steps_cmplt`` step), so a converter turns the flat list back into a tree:
consecutive steps that share an enclosing block form one repeat, whose body is the steps
of its first iteration.
"""

from __future__ import annotations

from collections.abc import Callable
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


def node_count(nodes: list[Node]) -> int:
    """Steps as a device with native repeats counts them: a repeat step once, plus its children."""
    return sum(1 + node_count(n.steps) if isinstance(n, Repeat) else 1 for n in nodes)


def one_level(nodes: list[Node], written_out: Callable[[Repeat, bool], None] | None = None) -> list[Node]:
    """For devices whose repeats do not nest: a block holding a block, with one level written
    out (the outer block's repetitions, or the inner blocks'), whichever gives fewer steps.
    ``written_out(block, outer)`` is told which, for a note."""
    out: list[Node] = []
    for node in nodes:
        if not isinstance(node, Repeat) or not any(isinstance(child, Repeat) for child in node.steps):
            out.append(node)
            continue
        outer = [child for _ in range(node.count) for child in node.steps]
        inner = Repeat(node.count, [step for child in node.steps for step in _written_out(child)], node.path)
        written_outer = node_count(outer) < node_count([inner])
        if written_outer:
            out.extend(outer)
        else:
            out.append(inner)
        if written_out is not None:
            written_out(node, written_outer)
    return out


def _written_out(node: Node) -> list[Node]:
    return [step for _ in range(node.count) for step in node.steps] if isinstance(node, Repeat) else [node]


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
