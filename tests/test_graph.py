"""torchbook.graph: the drawn graph has exactly the nodes and edges of the computation."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

import torchbook.graph as graph
from torchbook.scratch import Value


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


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
