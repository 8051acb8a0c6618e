"""torchbook.graph: the drawn graph has exactly the nodes and edges of the computation."""

from __future__ import annotations

import itertools
import math

import matplotlib as mpl
import pytest
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

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


def test_draw_torch_draws_the_grad_fn_graph_from_leaves_to_output() -> None:
    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    b = torch.tensor(0.1, requires_grad=True)
    loss = torch.sigmoid(w @ torch.ones(3) + b)
    ax = graph.draw_torch(loss, {"w": w, "b": b})
    g = graph.torch_graph(loss, {"w": w, "b": b})
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == len(g.nodes) == 5 and len(arrows) == len(g.edges) == 4
    assert sorted(t.get_text() for t in ax.texts) == sorted(n.text for n in g.nodes)
    output = next(i for i, n in enumerate(g.nodes) if n.kind == "output")
    assert g.nodes[output].text == "SigmoidBackward0"
    for arrow in arrows:  # every arrow points right, towards the output
        (tail_x, _), (head_x, _) = _ends(arrow)
        assert tail_x < head_x


def test_torch_graph_names_unnamed_leaves_and_shares_a_reused_one() -> None:
    x = torch.ones(2, 3, requires_grad=True)
    y = (x * x).sum()
    g = graph.torch_graph(y)
    assert sorted(n.text for n in g.nodes) == ["MulBackward0", "SumBackward0", "leaf\n(2, 3)"]
    assert sorted(n.kind for n in g.nodes) == ["leaf", "op", "output"]
    texts = [n.text for n in g.nodes]
    leaf, mul = texts.index("leaf\n(2, 3)"), texts.index("MulBackward0")
    assert set(g.edges) == {(leaf, mul), (mul, texts.index("SumBackward0"))}


def test_an_empty_graph_cannot_be_drawn() -> None:
    with pytest.raises(ValueError, match=r"^nothing to draw: the graph has no nodes$"):
        graph.draw(graph.Graph())


def test_draw_gives_the_title_and_fits_every_box() -> None:
    g = graph.value_graph(_j_of_abc())
    ax = graph.draw(g, title="J = 3(a + bc)")
    assert ax.get_title() == "J = 3(a + bc)"
    pos = graph._positions(g)
    xs, ys = [x for x, _ in pos.values()], [y for _, y in pos.values()]
    assert ax.get_xlim() == (-0.5, max(xs) + 0.5)
    assert ax.get_ylim() == (min(ys) - 0.5, max(ys) + 0.5)


# --- the layout: columns, rows and arcs, by the rules the docstrings state ------------------------
def _names(g: graph.Graph) -> list[str]:
    return [n.text.splitlines()[0] for n in g.nodes]


def _layout(g: graph.Graph) -> dict[str, tuple[float, float]]:
    return {name: pos for name, pos in zip(_names(g), _positions_in_order(g), strict=True)}


def _positions_in_order(g: graph.Graph) -> list[tuple[float, float]]:
    pos = graph._positions(g)
    return [pos[i] for i in range(len(g.nodes))]


def test_the_first_graph_is_laid_out_operands_in_order_and_centred() -> None:
    """J = 3(a + bc): each node one column left of its first use, operands top to bottom in
    the order they were written, every column centred on y = 0."""
    assert _layout(graph.value_graph(_j_of_abc())) == {
        "b": (0.0, 0.5), "c": (0.0, -0.5),
        "a": (1.0, 0.5), "v = *": (1.0, -0.5),
        "u = +": (2.0, 0.5), "3": (2.0, -0.5),
        "J = *": (3.0, 0.0),
    }  # fmt: skip


def test_a_short_branch_waits_beside_its_use() -> None:
    """out = ((x * 2) * 2) * 2 + tanh(y): y and tanh(y) sit just left of the sum, not in the
    first columns, and a constant sits beside the product that uses it."""
    x, y = Value(1.0, label="x"), Value(0.5, label="y")
    t = y.tanh()
    t.label = "t"
    out = ((x * 2) * 2) * 2 + t
    out.label = "out"
    names = _names(graph.value_graph(out))
    positions = _positions_in_order(graph.value_graph(out))
    column = {name: pos[0] for name, pos in zip(names, positions, strict=True)}
    assert column["out = +"] == 4.0 and column["t = tanh"] == 3.0 and column["y"] == 2.0
    assert column["x"] == 0.0
    for i, pos in enumerate(positions):  # each column centred, one row apart
        ys = sorted((p[1] for p in positions if p[0] == pos[0]), reverse=True)
        assert ys == [(len(ys) - 1) / 2 - r for r in range(len(ys))], i


def test_three_operands_in_a_column_are_centred_one_apart() -> None:
    a, b, c = (Value(float(k), label=n) for k, n in enumerate("abc"))
    s = a * b + c.tanh()
    s.label = "s"
    layout = _layout(graph.value_graph(s))
    assert {n: layout[n] for n in "abc"} == {"a": (0.0, 1.0), "b": (0.0, 0.0), "c": (0.0, -1.0)}


def test_the_right_to_left_sweep_keeps_operands_by_their_consumers() -> None:
    """p = z1 z2 with z1 = x1 x2, z2 = x1 + x2: z1 (the first operand) above z2, and x1 above
    x2, as the derivative drawing of the chain-rule chapter shows them."""
    assert _layout(graph.derivative_graph(_two_paths())) == {
        "x1": (0.0, 0.5), "x2": (0.0, -0.5), "z1": (1.0, 0.5), "z2": (1.0, -0.5), "p": (2.0, 0.0),
    }  # fmt: skip


def test_layers_count_the_longest_path_from_an_input() -> None:
    g = graph.Graph(nodes=[graph.Node(str(i), "op") for i in range(5)],
                    edges=[(0, 1), (1, 2), (0, 2), (3, 2), (2, 4)])  # fmt: skip
    assert g.layers() == [0, 1, 2, 0, 3]
    assert graph.Graph(nodes=[graph.Node("a", "leaf")]).layers() == [0]


@pytest.mark.parametrize(
    ("src", "dst", "crosses"),
    [((0, 0), (2, 0), True),  # straight through the box at (1, 0)
     ((0, 0.29), (2, 0.29), True),  # still within half the box's height (0.6 / 2)
     ((0, 0.3), (2, 0.3), False),  # along its top edge: touching is not crossing
     ((0, 0.3), (2, 0.29), True),
     ((0, 0.31), (2, 0.31), False),  # just above it
     ((0, -0.31), (2, -0.31), False),  # just below it
     ((0, 1.0), (2, -1.0), True),  # diagonal through its centre
     ((0, 1.0), (2, 0.0), False),  # passes at height 0.5 above the box at (1, 0)
     ((1, 0), (2, 0), False),  # from the box itself
     ((0, 0), (1, 0.0), False),  # ends at it
     ((2, 0), (0, 0), True),  # right to left, as a derivative arrow
     ((0, 0.1), (0.5, 0.1), False),  # never reaches x = 1
     ((-1, 0.9), (2, -0.6), True),  # at x = 1 it is at 0 - 0.1 off the centre... within
     ((-1, 2.0), (3, -2.0), True),  # ... through the centre, from further away
     ((-1, 2.0), (2, -2.0), False)],  # at x = 1 it is at -2/3: clear below
)  # fmt: skip
def test_an_arrow_crosses_a_box_it_passes_within_half_a_box_height(src, dst, crosses) -> None:
    pos = {0: src, 1: dst, 2: (1.0, 0.0)}
    assert graph._crosses_a_box(pos, 0, 1, 0.6) is crosses


@pytest.mark.parametrize(
    ("src", "dst", "crosses"),
    [((1, 2.0), (4, 2.0), True), ((1, 0.0), (4, 0.0), False), ((1, 1.0), (4, 4.0), True),
     ((1, 3.0), (4, 0.0), True), ((1, 2.5), (4, 3.5), False), ((0, 2.0), (4, 2.6), True)],
)  # fmt: skip
def test_crossing_a_box_away_from_the_origin(src, dst, crosses) -> None:
    """A box at (2, 2), arrows that start elsewhere than x = 0."""
    pos = {0: src, 1: dst, 2: (2.0, 2.0)}
    assert graph._crosses_a_box(pos, 0, 1, 0.6) is crosses


def test_mean_of_nothing_is_the_default() -> None:
    assert graph._mean([], 2.5) == 2.5 and graph._mean([1.0, 2.0, 6.0], 0.0) == 3.0


def _boxes_arrows_labels(ax):
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    return boxes, arrows


def _x_times_x_plus_x() -> Value:
    x = Value(2.0, label="x")
    f = x * x + x
    f.label = "f"
    return f


@pytest.mark.parametrize("derivative", [False, True], ids=["forward", "derivative"])
@pytest.mark.parametrize("make", [_x_times_x_plus_x, _j_of_abc], ids=["x*x+x", "J"])
def test_drawing_geometry(make, derivative: bool) -> None:
    """Boxes centred on their nodes, never overlapping; arrows from the edge of one box to
    the edge of the next (reversed in a derivative drawing); an arrow that would cross a
    box arcs over it (under, reversed) and clears it; labels a third of the way along; the
    view holds everything with half a unit to spare."""
    f = make()
    f.backward()
    g = graph.derivative_graph(f) if derivative else graph.value_graph(f)
    pos = graph._positions(g)
    ax = graph.draw(g)
    boxes, arrows = _boxes_arrows_labels(ax)
    assert len(boxes) == len(g.nodes) and len(arrows) == len(g.edges)
    box_h = boxes[0].get_height()
    for i, box in enumerate(boxes):
        centre = (box.get_x() + box.get_width() / 2, box.get_y() + box.get_height() / 2)
        assert centre == pytest.approx(pos[i])
        assert box.get_width() < 1 and box.get_height() < 1  # rows and columns are 1 apart
        assert box.get_facecolor() == mpl.colors.to_rgba(graph._FILL[g.nodes[i].kind])
        assert box.get_edgecolor() == mpl.colors.to_rgba(graph._EDGE[g.nodes[i].kind])
        text = next(t for t in ax.texts if t.get_text() == g.nodes[i].text)
        assert text.get_position() == pytest.approx(pos[i])
        assert (text.get_ha(), text.get_va()) == ("center", "center")
    half = boxes[0].get_width() / 2
    arcs = 0
    for arrow, (src, dst) in zip(arrows, g.edges, strict=True):
        path = arrow._path_original  # the curve as drawn, before the arrow head
        assert path.codes.tolist() == [Path.MOVETO, Path.CURVE3, Path.CURVE3]
        tail, control, head = (tuple(v) for v in path.vertices)
        out_of, into = (pos[src][0] + half, pos[src][1]), (pos[dst][0] - half, pos[dst][1])
        if derivative:
            out_of, into = into, out_of
        assert tail == pytest.approx(out_of) and head == pytest.approx(into)
        middle = ((tail[0] + head[0]) / 2, (tail[1] + head[1]) / 2)
        if graph._crosses_a_box(pos, src, dst, box_h):
            arcs += 1
            peak = (middle[1] + control[1]) / 2  # a quadratic Bezier's highest point
            clearance = box_h / 2 + 0.2
            assert peak == pytest.approx(middle[1] + (-clearance if derivative else clearance))
            assert control[0] == pytest.approx(middle[0])
        else:
            assert control == pytest.approx(middle)
        label = g.edge_labels.get((src, dst))
        if label is not None:
            t = 1 / 3
            where = [(1 - t) ** 2 * p + 2 * t * (1 - t) * c + t**2 * q
                     for p, c, q in zip(tail, control, head, strict=True)]  # fmt: skip
            shown = [s for s in ax.texts if s.get_text() == label]
            at = [s for s in shown if s.get_position() == pytest.approx(where)]
            assert at, label  # centred there, on a white background, readable over the arrow
            assert (at[0].get_ha(), at[0].get_va()) == ("center", "center")
            assert at[0].get_bbox_patch().get_facecolor() == (1, 1, 1, 1)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    rows = max(xs.count(x) for x in xs)
    assert ax.figure.get_size_inches() == pytest.approx(
        (1.35 * len(set(xs)) + 0.4, 0.8 * rows + 0.6)
    )
    assert ax.get_xlim() == pytest.approx((min(xs) - 0.5, max(xs) + 0.5))
    if make is _j_of_abc:  # no arrow needs to arc
        assert arcs == 0 and ax.get_ylim() == pytest.approx((min(ys) - 0.5, max(ys) + 0.5))
        return
    assert arcs == 1
    top = max(ys) + (0 if derivative else box_h / 2 + 0.2)
    bottom = min(ys) - (box_h / 2 + 0.2 if derivative else 0)
    assert ax.get_ylim() == pytest.approx((bottom - 0.5, top + 0.5))


def test_derivative_boxes_are_smaller_to_leave_room_for_the_labels() -> None:
    forward = [p for p in graph.draw_value(_two_paths()).patches if isinstance(p, FancyBboxPatch)]
    reverse = [
        p for p in graph.draw_derivatives(_two_paths()).patches if isinstance(p, FancyBboxPatch)
    ]
    (fw, fh), (rw, rh) = ((b[0].get_width(), b[0].get_height()) for b in (forward, reverse))
    assert (fw, fh) == pytest.approx((0.72, 0.6)) and (rw, rh) == pytest.approx((0.5, 0.45))
    assert {(b.get_width(), b.get_height()) for b in forward} == {(fw, fh)}
    assert {(b.get_width(), b.get_height()) for b in reverse} == {(rw, rh)}


def test_the_helpers_pass_show_grad_on() -> None:
    p = _two_paths()
    p.backward()
    texts = [t.get_text() for t in graph.draw_derivatives(p, show_grad=True).texts]
    assert "x1\ngrad 8" in texts
    texts = [t.get_text() for t in graph.draw_value(p, show_grad=False).texts]
    assert "x1\ndata 1" in texts and not any("grad" in t for t in texts)


def test_nodes_keep_the_order_they_were_made_in_when_nothing_else_decides() -> None:
    """Two chains side by side, a -> d and b -> c: the leaves keep their order, and each
    output sits level with its own input, so no arrows cross."""
    nodes = [graph.Node(name, kind) for name, kind in
             [("a", "leaf"), ("b", "leaf"), ("c", "output"), ("d", "output")]]  # fmt: skip
    g = graph.Graph(nodes=nodes, edges=[(0, 3), (1, 2)])
    assert _layout(g) == {"a": (0.0, 0.5), "b": (0.0, -0.5), "d": (1.0, 0.5), "c": (1.0, -0.5)}


def test_a_node_nothing_uses_keeps_its_row() -> None:
    nodes = [graph.Node(n, "op") for n in ("x", "lonely", "f", "g")]
    g = graph.Graph(nodes=nodes, edges=[(0, 2), (2, 3)])
    assert _layout(g) == {"x": (0.0, 0.5), "lonely": (0.0, -0.5), "f": (1.0, 0.0), "g": (2.0, 0.0)}
    assert len(graph.draw(g).patches) == 4 + 2


def test_the_figure_grows_with_the_graph_up_to_a_limit() -> None:
    wide = graph.Graph(nodes=[graph.Node(str(i), "op") for i in range(12)],
                       edges=[(i, i + 1) for i in range(11)])  # fmt: skip
    assert graph.draw(wide).figure.get_size_inches().tolist() == [14.0, 1.4]
    tall = graph.Graph(nodes=[graph.Node(str(i), "leaf") for i in range(16)])
    assert graph.draw(tall).figure.get_size_inches() == pytest.approx((1.75, 12.0))
    boxes = [p for p in graph.draw(tall).patches if isinstance(p, FancyBboxPatch)]
    ys = sorted(b.get_y() for b in boxes)
    assert all(b - a >= boxes[0].get_height() for a, b in itertools.pairwise(ys))


def test_drawing_on_given_axes_and_defaults_of_the_helpers() -> None:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    J = _j_of_abc()
    J.backward()
    assert graph.draw_value(J, ax=ax) is ax
    assert "a\ndata 5\ngrad 3" in [t.get_text() for t in ax.texts]  # gradients shown by default
    _, ax = plt.subplots()
    assert graph.draw_derivatives(_two_paths(), ax=ax) is ax
    assert sorted(t.get_text() for t in ax.texts if "\n" not in t.get_text())[-5:] == [
        "p", "x1", "x2", "z1", "z2"]  # names only by default  # fmt: skip
    _, ax = plt.subplots()
    w = torch.ones(2, requires_grad=True)
    assert graph.draw_torch((w * 2).sum(), {"w": w}, ax=ax) is ax
    assert "w\n(2,)" in [t.get_text() for t in ax.texts]


def test_value_graph_texts_and_kinds() -> None:
    x = Value(0.5)
    y = (x * 4).tanh()
    y.label = "y"
    g = graph.value_graph(y, show_grad=False)
    assert [(n.text, n.kind) for n in g.nodes] == [
        ("4\ndata 4", "leaf"), ("0.5\ndata 0.5", "leaf"), ("*\ndata 2", "op"),
        ("y = tanh\ndata 0.964", "output")]  # fmt: skip
    d = graph.derivative_graph(y)
    assert [(n.text, n.kind) for n in d.nodes] == [
        ("4", "leaf"), ("0.5", "leaf"), ("*", "op"), ("y", "output")]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "message"),
    [(lambda: graph.value_graph(torch.ones(1)),
      "expected a torchbook.scratch.Value, got Tensor"),
     (lambda: graph.local_derivatives(1.0), "expected a torchbook.scratch.Value, got float"),
     (lambda: graph.torch_graph(Value(1.0)), "expected a torch.Tensor, got Value"),
     (lambda: graph.torch_graph(torch.ones(2, requires_grad=True)),
      "this tensor has no grad_fn: it is a leaf or was computed without gradient tracking; "
      "draw a tensor computed from inputs with requires_grad=True")],
)  # fmt: skip
def test_errors_name_what_came(call, message: str) -> None:
    with pytest.raises((TypeError, ValueError)) as error:
        call()
    assert str(error.value) == message


def test_torch_graph_walks_past_inputs_that_need_no_gradient() -> None:
    """A constant operand (no grad_fn) is skipped, and the walk goes on to the other inputs."""
    w = torch.ones(3, requires_grad=True)
    out = (torch.ones(3) * 2 + w * 3).sum()  # the first operand of + needs no gradient
    g = graph.torch_graph(out, {"w": w})
    assert sorted(n.text for n in g.nodes) == [
        "AddBackward0", "MulBackward0", "SumBackward0", "w\n(3,)"]  # fmt: skip
    assert [n.kind for n in g.nodes] == ["output", "op", "op", "leaf"]
    assert len(g.edges) == 3


def test_torch_graph_visits_a_shared_node_once() -> None:
    w = torch.ones(2, requires_grad=True)
    h = w * 2
    out = (h + h * h).sum()  # h feeds two operations
    g = graph.torch_graph(out)
    texts = sorted(n.text for n in g.nodes)
    assert texts == ["AddBackward0", "MulBackward0", "MulBackward0", "SumBackward0", "leaf\n(2,)"]
    assert len(set(g.edges)) == 5


def test_torch_graph_walks_on_after_meeting_a_node_again() -> None:
    """z = y * x with y = (3 b) x: x's node is met twice, the second time with 3 b's node
    still to walk. Every node appears, and every input edge once per operation."""
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    x = a * 2
    y = (b * 3) * x
    z = (y * x).sum()
    g = graph.torch_graph(z, {"a": a, "b": b})
    leaves = ["a\n(2,)", "b\n(2,)"]
    assert sorted(n.text for n in g.nodes) == ["MulBackward0"] * 4 + ["SumBackward0", *leaves]
    assert len(g.edges) == 7  # z<-y*x, y*x<-y, y*x<-x, y<-3b, y<-x, 3b<-b, x<-a
    assert len(set(g.edges)) == 7
