"""A layered (Sugiyama-style) layout for small dependency graphs, without Qt.

Layers by longest path from the sources (so sources sit left, sinks right), back edges of cycles
reversed; an edge spanning several layers gets a dummy node in each layer it crosses, so it is
routed through a reserved slot instead of through the nodes in between. A few barycenter sweeps
order each layer to reduce crossings, then a few relaxation passes pull every node towards its
neighbours' height (straighter edges) without overlapping.

:func:`layered_geometry` turns that into coordinates: node boxes in columns, and for every edge
a route whose consecutive points are joined either by a straight run (same height, inside a
column's reserved slot or along the label) or by a curve with horizontal tangents that stays in
the gap between two columns, so an edge never passes through a node. An edge's label sits just
above the straight run where the edge leaves its (layout) source, inside the gap: beside its
edge, never on a node; every edge leaving that column runs straight past the labels before it
curves, so no edge crosses a label either. Good for the tens to hundreds of nodes a plan's flowchart has.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Placement:
    """A node's layer (column) and its position within the layer (row)."""

    layer: int
    order: int


@dataclass(frozen=True)
class Box:
    """A rectangle: top-left corner, width, height."""

    x: float
    y: float
    w: float
    h: float

    def intersects(self, other: Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )

    def contains(self, x: float, y: float) -> bool:
        return self.x < x < self.x + self.w and self.y < y < self.y + self.h


@dataclass(frozen=True)
class Route:
    """How edge ``index`` (of the edges given) is drawn: ``points`` from its source to its target.

    Consecutive points at the same height are joined by a straight run; the others by a cubic
    curve with horizontal tangents (control points half-way across), which stays between the two
    points' x. ``label`` is where the edge's label goes (None without a label)."""

    index: int
    points: tuple[tuple[float, float], ...]
    label: Box | None


@dataclass(frozen=True)
class Geometry:
    """Node boxes by id, edge routes, and the drawing's size (everything starts at 0, 0)."""

    boxes: dict[str, Box]
    routes: tuple[Route, ...]
    width: float
    height: float


def layered_layout(nodes: list[str], edges: list[tuple[str, str]], sweeps: int = 6) -> dict[str, Placement]:
    """Place ``nodes`` in layers so every forward edge points right; few crossings."""
    layer, layers, _chains = _layers_with_dummies(nodes, _oriented(nodes, edges), sweeps)
    order = {n: i for lay in layers.values() for i, n in enumerate(lay) if n in layer}
    real = {n: Placement(layer[n], order[n]) for n in nodes}
    # rows among the real nodes only (dummies take no row of their own here)
    for index in {p.layer for p in real.values()}:
        column = sorted((n for n in nodes if real[n].layer == index), key=lambda n: real[n].order)
        for row, node in enumerate(column):
            real[node] = Placement(index, row)
    return real


def layered_geometry(
    nodes: list[str],
    edges: list[tuple[str, str]],
    sizes: Mapping[str, tuple[float, float]],
    labels: Mapping[int, tuple[float, float]] | None = None,
    gap_x: float = 40.0,
    gap_y: float = 16.0,
    sweeps: int = 8,
) -> Geometry:
    """Coordinates for drawing ``nodes`` (each ``sizes[n] = (width, height)``) and ``edges``.

    ``labels[i] = (width, height)`` is the size of edge ``i``'s label. A node with labelled
    outgoing edges is made tall enough to hold one label above each of its ports. Self-loops
    get no route.
    """
    labels = labels or {}
    oriented = _oriented(nodes, edges)
    layer, layers, chains = _layers_with_dummies(nodes, oriented, sweeps)
    label_h = max((h for _w, h in labels.values()), default=0.0)
    out_count: dict[str, int] = defaultdict(int)
    labelled: set[str] = set()
    for index, (a, _b, _rev) in oriented.items():
        out_count[a] += 1
        if index in labels:
            labelled.add(a)
    size: dict[str, tuple[float, float]] = {}
    for node in nodes:
        w, h = sizes[node]
        if node in labelled:  # one label above each port: ports spaced by a label's height
            h = max(h, (out_count[node] + 1) * (label_h + 2))
        size[node] = (w, h)
    dummy_h = 2.0
    height_of = {n: size[n][1] if n in size else dummy_h for lay in layers.values() for n in lay}
    centre_y = _assign_heights(layers, chains, oriented, height_of, gap_y)
    count = max(layers) + 1 if layers else 0
    stubs = [0.0] * count  # the straight run after a column that holds the labels leaving it
    for index, (a, _b, _rev) in oriented.items():
        if index in labels:
            stubs[layer[a]] = max(stubs[layer[a]], labels[index][0] + 8)
    col_w = [max((size[n][0] for n in layers[c] if n in size), default=0.0) for c in range(count)]
    col_x, x = [], 0.0
    for c in range(count):
        col_x.append(x)
        x += col_w[c] + stubs[c] + gap_x
    width = x - gap_x if count else 0.0
    boxes = {
        n: Box(col_x[layer[n]] + (col_w[layer[n]] - size[n][0]) / 2, centre_y[n] - size[n][1] / 2, *size[n])
        for n in nodes
    }
    routes = _routes(oriented, chains, layer, boxes, centre_y, col_x, col_w, stubs, labels)
    top = min([b.y for b in boxes.values()] + [r.label.y for r in routes if r.label] + [0.0])
    bottom = max([b.y + b.h for b in boxes.values()] + [0.0])
    if top < 0:  # a label above the topmost node: move everything down
        boxes = {n: Box(b.x, b.y - top, b.w, b.h) for n, b in boxes.items()}
        routes = [
            Route(
                r.index,
                tuple((px, py - top) for px, py in r.points),
                Box(r.label.x, r.label.y - top, r.label.w, r.label.h) if r.label else None,
            )
            for r in routes
        ]
        bottom -= top
    return Geometry(boxes, tuple(routes), width, bottom)


# layering and ordering ---------------------------------------------------------------------
def _oriented(nodes: list[str], edges: list[tuple[str, str]]) -> dict[int, tuple[str, str, bool]]:
    """Edge index → (layout source, layout target, reversed): back edges of cycles turned round."""
    known = set(nodes)
    back = _back_edges(nodes, edges)
    result = {}
    for index, (a, b) in enumerate(edges):
        if a == b or a not in known or b not in known:
            continue
        result[index] = (b, a, True) if (a, b) in back else (a, b, False)
    return result


def _layers_with_dummies(
    nodes: list[str], oriented: Mapping[int, tuple[str, str, bool]], sweeps: int
) -> tuple[dict[str, int], dict[int, list[str]], dict[int, list[str]]]:
    """Layer of every node (dummies included), the ordered layers, and each edge's chain of items."""
    succ: dict[str, list[str]] = defaultdict(list)
    pred: dict[str, list[str]] = defaultdict(list)
    for a, b, _rev in oriented.values():
        succ[a].append(b)
        pred[b].append(a)
    layer = _longest_path_layers(nodes, succ, pred)
    chains: dict[int, list[str]] = {}
    succ, pred = defaultdict(list), defaultdict(list)
    for index, (a, b, _rev) in oriented.items():
        chain = [a] + [f"\0{index}:{k}" for k in range(layer[a] + 1, layer[b])] + [b]
        for k, item in enumerate(chain[1:-1], start=layer[a] + 1):
            layer[item] = k
        for u, v in itertools.pairwise(chain):
            succ[u].append(v)
            pred[v].append(u)
        chains[index] = chain
    layers: dict[int, list[str]] = defaultdict(list)
    for item in list(nodes) + [i for c in chains.values() for i in c[1:-1]]:
        layers[layer[item]].append(item)
    order = {n: i for lay in layers.values() for i, n in enumerate(lay)}
    count = max(layers) + 1 if layers else 0
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        for index in range(1, count) if forward else range(count - 2, -1, -1):
            neighbours: Mapping[str, list[str]] = pred if forward else succ
            layers[index].sort(key=functools.partial(_barycenter, neighbours=neighbours, order=order))
            for pos, node in enumerate(layers[index]):
                order[node] = pos
    return layer, dict(layers), chains


def _barycenter(node: str, neighbours: Mapping[str, list[str]], order: Mapping[str, int]) -> float:
    around = [order[n] for n in neighbours.get(node, ()) if n in order]
    return sum(around) / len(around) if around else order[node]


def _back_edges(nodes: list[str], edges: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The back edges a depth-first search finds (turning them round makes the graph acyclic)."""
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
    return back


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


# coordinates -------------------------------------------------------------------------------
def _assign_heights(
    layers: Mapping[int, list[str]],
    chains: Mapping[int, list[str]],
    oriented: Mapping[int, tuple[str, str, bool]],
    height_of: Mapping[str, float],
    gap_y: float,
) -> dict[str, float]:
    """Each item's vertical centre: stacked in layer order, then pulled towards its neighbours."""
    neighbours: dict[str, list[str]] = defaultdict(list)
    for index in oriented:
        chain = chains[index]
        for u, v in itertools.pairwise(chain):
            neighbours[u].append(v)
            neighbours[v].append(u)

    def separation(a: str, b: str) -> float:
        dummies = a.startswith("\0") + b.startswith("\0")
        gap = gap_y if dummies == 0 else (gap_y / 2 if dummies == 1 else gap_y / 3)
        return (height_of[a] + height_of[b]) / 2 + gap

    centre: dict[str, float] = {}
    for column in layers.values():
        y = 0.0
        for k, item in enumerate(column):
            y = y + separation(column[k - 1], item) if k else height_of[item] / 2
            centre[item] = y
    tallest = max((centre[c[-1]] for c in layers.values() if c), default=0.0)
    for column in layers.values():  # centre each column on the tallest one
        if column:
            shift = (tallest - centre[column[-1]]) / 2
            for item in column:
                centre[item] += shift
    for _ in range(8):
        for column in layers.values():
            wanted = [
                sum(centre[n] for n in neighbours[item]) / len(neighbours[item]) if neighbours[item] else centre[item]
                for item in column
            ]
            placed = list(wanted)
            for k in range(1, len(column)):
                placed[k] = max(placed[k], placed[k - 1] + separation(column[k - 1], column[k]))
            drift = sum(p - w for p, w in zip(placed, wanted, strict=True)) / max(len(column), 1)
            for item, y in zip(column, placed, strict=True):
                centre[item] = y - drift
    top = min((centre[n] - height_of[n] / 2 for n in centre), default=0.0)
    return {n: y - top for n, y in centre.items()}


def _routes(
    oriented: Mapping[int, tuple[str, str, bool]],
    chains: Mapping[int, list[str]],
    layer: Mapping[str, int],
    boxes: Mapping[str, Box],
    centre_y: Mapping[str, float],
    col_x: list[float],
    col_w: list[float],
    stubs: list[float],
    labels: Mapping[int, tuple[float, float]],
) -> list[Route]:
    """Every edge's points: out-port, along its label, through its dummies' slots, to the in-port."""
    outs: dict[str, list[int]] = defaultdict(list)
    ins: dict[str, list[int]] = defaultdict(list)
    for index in oriented:
        outs[chains[index][0]].append(index)
        ins[chains[index][-1]].append(index)
    out_y: dict[int, float] = {}
    in_y: dict[int, float] = {}
    for node, indices in outs.items():  # ports in the order of where the edges go: fewer crossings at the node
        indices.sort(key=lambda i: centre_y[chains[i][1]])
        box = boxes[node]
        for k, index in enumerate(indices):
            out_y[index] = box.y + box.h * (k + 1) / (len(indices) + 1)
    for node, indices in ins.items():
        indices.sort(key=lambda i: centre_y[chains[i][-2]])
        box = boxes[node]
        for k, index in enumerate(indices):
            in_y[index] = box.y + box.h * (k + 1) / (len(indices) + 1)
    routes = []
    for index, (a, b, reverse) in oriented.items():
        chain = chains[index]
        source, target = boxes[a], boxes[b]
        c = layer[a]
        right = col_x[c] + col_w[c]
        # every edge leaving a column runs straight past the labels there: curves start after them
        points = [(source.x + source.w, out_y[index]), (right + stubs[c], out_y[index])]
        label = None
        if index in labels:
            w, h = labels[index]
            label = Box(right + 4, out_y[index] - h - 1, w, h)
        for item in chain[1:-1]:
            c = layer[item]
            points += [(col_x[c], centre_y[item]), (col_x[c] + col_w[c] + stubs[c], centre_y[item])]
        points += [(col_x[layer[b]], in_y[index]), (target.x, in_y[index])]
        unique = [p for k, p in enumerate(points) if k == 0 or p != points[k - 1]]
        routes.append(Route(index, tuple(reversed(unique)) if reverse else tuple(unique), label))
    return routes
