"""A layered (Sugiyama-style) layout for small dependency graphs, without Qt.

Layers by longest path from the sources (so sources sit left, sinks right), back edges of cycles
ignored; then a few barycenter sweeps order each layer to reduce crossings. Good for the tens to
hundreds of nodes a plan's flowchart has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Placement:
    """A node's layer (column) and its position within the layer (row)."""

    layer: int
    order: int


def layered_layout(nodes: list[str], edges: list[tuple[str, str]], sweeps: int = 6) -> dict[str, Placement]:
    """Place ``nodes`` in layers so every forward edge points right; few crossings."""
    succ: dict[str, list[str]] = defaultdict(list)
    pred: dict[str, list[str]] = defaultdict(list)
    for a, b in _acyclic(nodes, edges):
        succ[a].append(b)
        pred[b].append(a)
    layer = _longest_path_layers(nodes, succ, pred)
    layers: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        layers[layer[node]].append(node)
    order = {n: i for lay in layers.values() for i, n in enumerate(lay)}
    count = max(layers) + 1 if layers else 0
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        for index in range(1, count) if forward else range(count - 2, -1, -1):
            neighbours = pred if forward else succ
            layers[index].sort(key=lambda n: _barycenter(n, neighbours, order))
            for pos, node in enumerate(layers[index]):
                order[node] = pos
    return {n: Placement(layer[n], order[n]) for n in nodes}


def _barycenter(node: str, neighbours: dict[str, list[str]], order: dict[str, int]) -> float:
    around = [order[n] for n in neighbours.get(node, ()) if n in order]
    return sum(around) / len(around) if around else order[node]


def _acyclic(nodes: list[str], edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Edges minus the back edges a depth-first search finds (and self-loops)."""
    adjacency: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        if a != b:
            adjacency[a].append(b)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(adjacency[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(adjacency[child])))
    return [(a, b) for a, b in edges if a != b and (a, b) not in back]


def _longest_path_layers(
    nodes: list[str], succ: Mapping[str, list[str]], pred: Mapping[str, list[str]]
) -> dict[str, int]:
    indegree = {n: len(pred.get(n, ())) for n in nodes}
    layer = dict.fromkeys(nodes, 0)
    ready = [n for n in nodes if indegree[n] == 0]
    while ready:
        node = ready.pop(0)
        for child in succ.get(node, ()):
            layer[child] = max(layer[child], layer[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return layer
