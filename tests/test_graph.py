"""torchbook.graph: the drawn graph has exactly the nodes and edges of the computation."""

from __future__ import annotations

import math

import pytest
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

import torchbook.graph as graph
from torchbook.scratch import Value


def _ends(arrow: FancyArrowPatch) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where an arrow starts (tail) and ends (head, the tip), in data coordinates."""
    vertices = arrow._path_original.vertices  # the curve as drawn, before the arrow head
    return tuple(map(float, vertices[0])), tuple(map(float, vertices[-1]))


def _j_of_abc() -> Value:
    """J(a, b, c) = 3(a + bc), the book's first computation graph."""
    a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
    v = b * c
    v.label = "v"
    u = a + v
    u.label = "u"
    J = 3 * u
    J.label = "J"
    return J


def test_value_graph_counts() -> None:
    g = graph.value_graph(_j_of_abc())
    assert len(g.nodes) == 7  # a, b, c, the constant 3, v, u, J
    assert len(g.edges) == 6
    assert sorted(n.kind for n in g.nodes).count("leaf") == 4


def test_value_graph_shows_data_and_grad() -> None:
    J = _j_of_abc()
    J.backward()
    texts = {n.text.splitlines()[0]: n.text for n in graph.value_graph(J).nodes}
    assert texts["a"] == "a\ndata 5\ngrad 3"
    assert texts["b"] == "b\ndata 3\ngrad 6"
    assert texts["J = *"] == "J = *\ndata 33\ngrad 1"


def test_reused_value_is_one_node_with_one_edge() -> None:
    x = Value(2.0, label="x")
    y = x * x
    g = graph.value_graph(y)
    assert len(g.nodes) == 2 and g.edges == [(0, 1)]


def test_torch_graph_of_a_neuron() -> None:
    w = torch.randn(3, requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    x = torch.randn(3)  # no gradient: not drawn
    loss = torch.sigmoid(w @ x + b)
    g = graph.torch_graph(loss, {"w": w, "b": b})
    texts = sorted(n.text for n in g.nodes)
    assert texts == sorted(["SigmoidBackward0", "AddBackward0", "DotBackward0", "w\n(3,)", "b\n()"])
    assert len(g.edges) == 4


def test_torch_graph_needs_a_grad_fn() -> None:
    with pytest.raises(ValueError, match="no grad_fn"):
        graph.torch_graph(torch.ones(2, requires_grad=True))


def test_wrong_input_types_are_named() -> None:
    with pytest.raises(TypeError, match=r"torchbook\.scratch\.Value"):
        graph.value_graph(torch.ones(1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        graph.torch_graph(Value(1.0))  # type: ignore[arg-type]


def test_drawing_has_a_box_per_node_and_an_arrow_per_edge() -> None:
    ax = graph.draw_value(_j_of_abc())
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 7 and len(arrows) == 6


def test_inputs_are_drawn_left_of_outputs() -> None:
    g = graph.value_graph(_j_of_abc())
    positions = graph._positions(g)
    for src, dst in g.edges:
        assert positions[src][0] < positions[dst][0]


def test_forty_node_graph_stays_readable() -> None:
    xs = [Value(0.1 * i, label=f"x{i}") for i in range(10)]
    ws = [Value(-0.2 * i, label=f"w{i}") for i in range(10)]
    act = Value(0.0, label="b")
    for x, w in zip(xs, ws, strict=True):
        act = act + x * w
    out = act.tanh()
    g = graph.value_graph(out)
    assert len(g.nodes) >= 40
    positions = list(graph._positions(g).values())
    assert len(set(positions)) == len(positions)  # no two boxes in the same place
    ax = graph.draw(g)
    width, height = ax.figure.get_size_inches()
    assert width <= 14 and height <= 12
    assert all(t.get_fontsize() >= 7 for t in ax.texts)


def _two_paths() -> Value:
    """p = z1 z2 with z1 = x1 x2, z2 = x1 + x2 at (1, 2): two paths from x1 to p."""
    x1, x2 = Value(1.0, label="x1"), Value(2.0, label="x2")
    z1, z2 = x1 * x2, x1 + x2
    z1.label, z2.label = "z1", "z2"
    p = z1 * z2
    p.label = "p"
    return p


def test_local_derivatives_are_the_rules_at_this_point() -> None:
    p = _two_paths()
    slopes = {(o.label, i.label): d for (o, i), d in graph.local_derivatives(p).items()}
    assert slopes == {
        ("p", "z1"): 3.0,  # d(z1 z2)/dz1 = z2
        ("p", "z2"): 2.0,
        ("z1", "x1"): 2.0,  # d(x1 x2)/dx1 = x2
        ("z1", "x2"): 1.0,
        ("z2", "x1"): 1.0,
        ("z2", "x2"): 1.0,
    }


def test_local_derivatives_of_one_input_ops_and_a_reused_input() -> None:
    x = Value(0.5, label="x")
    t, s, q = x.tanh(), x.sigmoid(), x * x
    for out, expected in [
        (t, 1 - math.tanh(0.5) ** 2),
        (s, s.data * (1 - s.data)),
        (q, 2 * 0.5),  # one edge for both uses: x + x
    ]:
        assert graph.local_derivatives(out) == {(out, x): pytest.approx(expected)}


def test_local_derivatives_leave_every_grad_as_it_was() -> None:
    p = _two_paths()
    p.backward()
    before = [v.grad for v in p.topological_order()]
    graph.local_derivatives(p)
    assert [v.grad for v in p.topological_order()] == before


def test_derivative_graph_reverses_the_arrows_and_labels_them() -> None:
    p = _two_paths()
    p.backward()
    g = graph.derivative_graph(p, show_grad=True)
    name = [n.text.splitlines()[0] for n in g.nodes]
    labels = {(name[dst], name[src]): text for (src, dst), text in g.edge_labels.items()}
    assert labels == {
        ("p", "z1"): "3",
        ("p", "z2"): "2",
        ("z1", "x1"): "2",
        ("z1", "x2"): "1",
        ("z2", "x1"): "1",
        ("z2", "x2"): "1",
    }
    assert g.reverse_arrows and set(g.edges) == set(g.edge_labels)
    assert g.nodes[name.index("x1")].text == "x1\ngrad 8"  # 3 * 2 + 2 * 1


def test_derivative_drawing_points_from_output_to_input() -> None:
    p = _two_paths()
    g = graph.derivative_graph(p)
    ax = graph.draw(g)
    pos = graph._positions(g)
    arrows = [a for a in ax.patches if isinstance(a, FancyArrowPatch)]
    assert len(arrows) == len(g.edges) == 6
    for arrow, (src, dst) in zip(arrows, g.edges, strict=True):
        (tail_x, tail_y), (head_x, head_y) = _ends(arrow)
        assert tail_x > head_x  # from the output (right) back to the input (left)
        assert (tail_y, head_y) == pytest.approx((pos[dst][1], pos[src][1]))
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["x1", "x2", "z1", "z2", "p", "3", "2", "2", "1", "1", "1"])


def test_forward_drawing_points_from_input_to_output() -> None:
    ax = graph.draw_value(_j_of_abc())
    for arrow in (a for a in ax.patches if isinstance(a, FancyArrowPatch)):
        (tail_x, _), (head_x, _) = _ends(arrow)
        assert tail_x < head_x


def _bent(arrow: FancyArrowPatch) -> bool:
    """Whether the arrow's curve leaves the straight line between its ends."""
    (x0, y0), (cx, cy), (x1, y1) = arrow._path_original.vertices
    return abs((x1 - x0) * (cy - y0) - (y1 - y0) * (cx - x0)) > 1e-9


def test_an_arrow_that_would_cross_a_box_bends_and_the_others_stay_straight() -> None:
    x = Value(2.0, label="x")
    f = x * x + x  # x feeds the product and, skipping its column, the sum
    g = graph.value_graph(f)
    positions = graph._positions(g)
    ax = graph.draw(g)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    bent = {edge for edge, arrow in zip(g.edges, arrows, strict=True) if _bent(arrow)}
    skipping = {(s, d) for s, d in g.edges if positions[d][0] - positions[s][0] > 1}
    assert skipping and bent == skipping
