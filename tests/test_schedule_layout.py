"""The dependency graph's layout without Qt: layers, dummy slots for long edges, routes and labels
that never touch a node (issue 17: edges were drawn through nodes and labels sat on them)."""

from __future__ import annotations

import itertools
import random

import pytest

from mission_control.plan import load_plan
from mission_control.schedule.layout import Box, Geometry, layered_geometry, layered_layout
from tests.helpers import SAMPLE_PLAN


def curve(p0: tuple[float, float], p1: tuple[float, float], steps: int = 24) -> list[tuple[float, float]]:
    """Points on the cubic the UI draws between two route points (horizontal tangents)."""
    (x0, y0), (x1, y1) = p0, p1
    dx = (x1 - x0) / 2
    c0, c1 = (x0 + dx, y0), (x1 - dx, y1)
    out = []
    for k in range(steps + 1):
        t = k / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        out.append((a * x0 + b * c0[0] + c * c1[0] + d * x1, a * y0 + b * c0[1] + c * c1[1] + d * y1))
    return out


def route_points(points: tuple[tuple[float, float], ...]) -> list[tuple[float, float]]:
    sampled = []
    for p0, p1 in itertools.pairwise(points):
        sampled += curve(p0, p1)
    return sampled


def check(geometry: Geometry, edges: list[tuple[str, str]]) -> None:
    """No route passes through a node box (its own ends included: only their border) or a label; no
    label overlaps a node or another label."""
    labels = [r.label for r in geometry.routes if r.label is not None]
    for route in geometry.routes:
        for x, y in route_points(route.points):
            for node, box in geometry.boxes.items():
                assert not box.contains(x, y), f"edge {edges[route.index]} runs through node {node}"
            for label in labels:
                assert not Box(label.x, label.y, label.w, label.h - 0.5).contains(x, y), (
                    f"edge {edges[route.index]} crosses a label"
                )
    for k, label in enumerate(labels):
        for node, box in geometry.boxes.items():
            assert not label.intersects(box), f"a label lies on node {node}"
        for other in labels[k + 1 :]:
            assert not label.intersects(other), "two labels overlap"


def test_sources_left_sinks_right_and_an_edge_over_two_layers_goes_around_the_middle_node() -> None:
    # a -> b -> c and a -> c: the long edge must not cross b
    edges = [("a", "b"), ("b", "c"), ("a", "c")]
    nodes = ["a", "b", "c"]
    places = layered_layout(nodes, edges)
    assert [places[n].layer for n in nodes] == [0, 1, 2]
    geometry = layered_geometry(nodes, edges, dict.fromkeys(nodes, (100.0, 40.0)))
    assert geometry.boxes["a"].x < geometry.boxes["b"].x < geometry.boxes["c"].x
    check(geometry, edges)
    long = next(r for r in geometry.routes if r.index == 2)
    assert long.points[0][0] == geometry.boxes["a"].x + 100 and long.points[-1][0] == geometry.boxes["c"].x


def test_the_sample_plans_graph_labels_sit_beside_their_edges_and_off_the_nodes() -> None:
    plan = load_plan(SAMPLE_PLAN).plan
    nodes = [n.id for n in plan.graph.nodes]
    edges = [(e.from_id, e.to_id) for e in plan.graph.edges]
    labels = {i: (len(e.label) * 7.0, 15.0) for i, e in enumerate(plan.graph.edges) if e.label}
    geometry = layered_geometry(nodes, edges, dict.fromkeys(nodes, (130.0, 40.0)), labels)
    check(geometry, edges)
    blocks = next(r for r in geometry.routes if plan.graph.edges[r.index].label == "Blocks" and r.label)
    # beside its edge: just above the straight run the edge starts with
    start = blocks.points[0][1]
    assert blocks.label is not None and blocks.label.y + blocks.label.h <= start <= blocks.label.y + blocks.label.h + 2


@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_route_every_edge_around_every_node(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"n{i}" for i in range(rng.randint(4, 30))]
    edges = []
    for _ in range(rng.randint(3, 45)):
        a, b = rng.sample(nodes, 2)
        edges.append((a, b))  # cycles and duplicates included
    sizes = {n: (rng.uniform(60, 160), rng.uniform(25, 45)) for n in nodes}
    labels = {i: (rng.uniform(20, 110), 15.0) for i in range(len(edges)) if rng.random() < 0.4}
    geometry = layered_geometry(nodes, edges, sizes, labels)
    check(geometry, edges)
    assert {r.index for r in geometry.routes} == set(range(len(edges)))
    for n, box in geometry.boxes.items():
        assert box.w == sizes[n][0] and box.h >= sizes[n][1] and box.x >= 0 and box.y >= 0
        for m, other in geometry.boxes.items():
            assert n == m or not box.intersects(other)


def test_a_cycle_is_drawn_with_its_arrow_into_the_real_target() -> None:
    edges = [("a", "b"), ("b", "a")]
    geometry = layered_geometry(["a", "b"], edges, {"a": (80.0, 30.0), "b": (80.0, 30.0)})
    back = next(r for r in geometry.routes if r.index == 1)
    a = geometry.boxes["a"]
    end_x, end_y = back.points[-1]
    assert end_x == a.x + a.w and a.y < end_y < a.y + a.h  # ends on a's right side
    check(geometry, edges)
