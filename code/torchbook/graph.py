"""Draw computation graphs: of a scalar :class:`~torchbook.scratch.Value` expression, of
its derivative graph (every arrow reversed and labelled with its local derivative), and of
the ``grad_fn`` graph autograd records behind a torch tensor.

All become the same small :class:`Graph` (nodes with text, edges from input to output),
laid out in layers from the inputs on the left to the output on the right, and drawn with
matplotlib alone, so a fresh machine needs no Graphviz.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from torchbook.plot.style import COLORS, axes_or_new
from torchbook.scratch.value import Value

_FILL = {"leaf": "#d7e9f7", "op": "#fbe5c0", "output": "#cdebdc"}
_EDGE = {"leaf": COLORS[0], "op": COLORS[1], "output": COLORS[2]}


@dataclass
class Node:
    """One box in the drawing: its text and its role (``leaf``, ``op`` or ``output``)."""

    text: str
    kind: str


@dataclass
class Graph:
    """Nodes and edges (input index -> output index) of a computation graph.

    ``edges`` always run in the direction data flows, which fixes the layout. A derivative
    graph sets ``reverse_arrows`` (arrows are drawn from each output back to its inputs)
    and gives each edge a text in ``edge_labels``, drawn beside its arrow.
    """

    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)
    edge_labels: dict[tuple[int, int], str] = field(default_factory=dict)
    reverse_arrows: bool = False

    def layers(self) -> list[int]:
        """Each node's column: the length of the longest path reaching it from an input."""
        inputs: dict[int, list[int]] = {i: [] for i in range(len(self.nodes))}
        for src, dst in self.edges:
            inputs[dst].append(src)
        layer: dict[int, int] = {}

        def depth(i: int) -> int:
            stack = [i]
            while stack:
                node = stack[-1]
                pending = [p for p in inputs[node] if p not in layer]
                if pending:
                    stack.extend(pending)
                    continue
                stack.pop()
                layer[node] = 1 + max((layer[p] for p in inputs[node]), default=-1)
            return layer[i]

        return [depth(i) for i in range(len(self.nodes))]


def value_graph(root: Value, *, show_grad: bool = True) -> Graph:
    """The graph of a ``Value`` expression: one node per value, showing data (and grad)."""
    if not isinstance(root, Value):
        raise TypeError(f"expected a torchbook.scratch.Value, got {type(root).__name__}")
    order = root.topological_order()
    index = {id(v): i for i, v in enumerate(order)}
    graph = Graph()
    for v in order:
        name = v.label or ("" if v.parents else f"{v.data:.3g}")
        head = f"{name} = {v.op}" if v.op and name else (v.op or name)
        body = f"data {v.data:.3g}" + (f"\ngrad {v.grad:.3g}" if show_grad else "")
        kind = "output" if v is root else ("op" if v.parents else "leaf")
        graph.nodes.append(Node(f"{head}\n{body}", kind))
        graph.edges.extend((index[id(p)], index[id(v)]) for p in dict.fromkeys(v.parents))
    return graph


def local_derivatives(root: Value) -> dict[tuple[Value, Value], float]:
    """What each edge of a ``Value`` graph multiplies a gradient by: d(output)/d(input).

    Keys are ``(output, input)`` pairs; the numbers are each node's
    :meth:`~torchbook.scratch.Value.local_derivatives`, read off the engine's own backward
    steps at the current data. An input used twice by one operation (``x * x``) has one
    edge, holding the sum of both uses (``2 * x``). Every ``grad`` is left as it was.
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a torchbook.scratch.Value, got {type(root).__name__}")
    return {
        (out, v): slope
        for out in root.topological_order()
        for v, slope in out.local_derivatives().items()
    }


def derivative_graph(root: Value, *, show_grad: bool = False) -> Graph:
    """The graph backpropagation walks: each arrow reversed and labelled d(output)/d(input).

    The nodes are those of :func:`value_graph`, named by label (or operation, or data for
    an unnamed constant); the arrow from an output to one of its inputs carries the local
    derivative from :func:`local_derivatives`. A node's gradient is then the sum, over the
    arrows arriving at it, of the gradient at the arrow's tail times the arrow's label;
    ``show_grad`` writes the gradients from the last ``backward()`` into the boxes.
    """
    slopes = local_derivatives(root)
    order = root.topological_order()
    index = {id(v): i for i, v in enumerate(order)}
    graph = Graph(reverse_arrows=True)
    for v in order:
        name = v.label or v.op or f"{v.data:.3g}"
        kind = "output" if v is root else ("op" if v.parents else "leaf")
        graph.nodes.append(Node(f"{name}\ngrad {v.grad:.3g}" if show_grad else name, kind))
        for p in dict.fromkeys(v.parents):
            edge = (index[id(p)], index[id(v)])
            graph.edges.append(edge)
            graph.edge_labels[edge] = f"{slopes[(v, p)]:.3g}"
    return graph


def torch_graph(output: torch.Tensor, names: dict[str, torch.Tensor] | None = None) -> Graph:
    """The backward graph autograd recorded for ``output``, walked through ``grad_fn``.

    Leaves (``AccumulateGrad`` nodes) are labelled with their name from ``names`` when it
    is given (for instance ``dict(model.named_parameters())``) and their shape.
    """
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(output).__name__}")
    if output.grad_fn is None:
        raise ValueError(
            "this tensor has no grad_fn: it is a leaf or was computed without gradient "
            "tracking; draw a tensor computed from inputs with requires_grad=True"
        )
    label_of = {id(t): n for n, t in (names or {}).items()}
    graph = Graph()
    index: dict[object, int] = {}

    def add(fn: object) -> int:
        if fn in index:
            return index[fn]
        variable = getattr(fn, "variable", None)
        if variable is not None:
            name = label_of.get(id(variable), "leaf")
            text, kind = f"{name}\n{tuple(variable.shape)}", "leaf"
        else:
            text, kind = type(fn).__name__, "op"
        index[fn] = len(graph.nodes)
        graph.nodes.append(Node(text, kind))
        return index[fn]

    root = add(output.grad_fn)
    graph.nodes[root].kind = "output"
    stack, visited = [output.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn in visited:
            continue
        visited.add(fn)
        for parent, _ in getattr(fn, "next_functions", ()):
            if parent is None:  # an input that needs no gradient
                continue
            graph.edges.append((add(parent), index[fn]))
            stack.append(parent)
    return graph


def _positions(graph: Graph) -> dict[int, tuple[float, float]]:
    """Columns by layer (each node just left of its first use); rows ordered to limit crossings.

    A left-to-right sweep orders each column by the mean height of the nodes' inputs, then
    a right-to-left sweep by the mean height of their consumers, keeping operands in order.
    """
    layers = graph.layers()
    inputs: dict[int, list[int]] = {i: [] for i in range(len(graph.nodes))}
    consumers: dict[int, list[int]] = {i: [] for i in range(len(graph.nodes))}
    for src, dst in graph.edges:
        inputs[dst].append(src)
        consumers[src].append(dst)
    # as late as possible: every node sits right before the first node that uses it
    for i in sorted(range(len(graph.nodes)), key=lambda i: -layers[i]):
        if consumers[i]:
            layers[i] = min(layers[c] for c in consumers[i]) - 1
    columns = [[i for i, n in enumerate(layers) if n == col] for col in range(max(layers) + 1)]
    pos: dict[int, tuple[float, float]] = {}

    def place(members: list[int], col: int) -> None:
        for rank, i in enumerate(members):
            pos[i] = (float(col), (len(members) - 1) / 2 - rank)

    for col, members in enumerate(columns):
        members.sort(key=lambda i: -_mean([pos[p][1] for p in inputs[i]], 0.0))
        place(members, col)
    for col in range(len(columns) - 2, -1, -1):
        members = columns[col]
        members.sort(
            key=lambda i: (
                -_mean([pos[c][1] for c in consumers[i]], pos[i][1]),
                min((inputs[c].index(i) for c in consumers[i]), default=0),
            )
        )
        place(members, col)
    return pos


def _crosses_a_box(pos: dict[int, tuple[float, float]], src: int, dst: int, box_h: float) -> bool:
    """Whether the straight arrow from ``src`` to ``dst`` passes through a third node's box."""
    (x0, y0), (x1, y1) = pos[src], pos[dst]
    for node, (x, y) in pos.items():
        if node in (src, dst) or not min(x0, x1) < x < max(x0, x1):
            continue
        height_there = y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        if abs(height_there - y) < box_h / 2:
            return True
    return False


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def draw(graph: Graph, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw ``graph`` left to right in the book's style.

    Arrows run from input to output, or from output back to input when the graph has
    ``reverse_arrows``; an edge label sits on its arrow, a third of the way from the tail.
    Readable up to about 40 nodes in about 10 columns; deeper chains get cramped.
    """
    if not graph.nodes:
        raise ValueError("nothing to draw: the graph has no nodes")
    pos = _positions(graph)
    width = max(x for x, _ in pos.values()) + 1
    height = max(sum(1 for x, _ in pos.values() if x == col) for col in range(int(width)))
    ax = axes_or_new(ax, size=(min(14.0, 1.35 * width + 0.4), min(12.0, 0.8 * height + 0.6)))
    ax.set_axis_off()
    # a derivative graph's boxes hold a name only: narrower, to leave room for the labels
    box_w, box_h = (0.5, 0.45) if graph.reverse_arrows else (0.72, 0.6)
    for i, node in enumerate(graph.nodes):
        x, y = pos[i]
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0.02,rounding_size=0.08",
                facecolor=_FILL[node.kind],
                edgecolor=_EDGE[node.kind],
                linewidth=1.4,
            )
        )
        ax.text(x, y, node.text, ha="center", va="center", fontsize=8, family="monospace")
    arcs: list[float] = []  # heights reached by arrows that arc over a box
    for src, dst in graph.edges:
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        tail, head = (x0 + box_w / 2, y0), (x1 - box_w / 2, y1)
        if graph.reverse_arrows:
            tail, head = head, tail
        # An arrow that would run straight through another box arcs over (forward) or under
        # (reversed) it: a quadratic curve whose control point lies 2 * clearance off the
        # straight line peaks at the clearance, which clears the box.
        middle = ((tail[0] + head[0]) / 2, (tail[1] + head[1]) / 2)
        control = middle
        if _crosses_a_box(pos, src, dst, box_h):
            clearance = (box_h / 2 + 0.2) * (1 if head[0] > tail[0] else -1)
            control = (middle[0], middle[1] + 2 * clearance)
            arcs.append(middle[1] + clearance)
        curve = Path([tail, control, head], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
        ax.add_patch(
            FancyArrowPatch(
                path=curve,
                arrowstyle="-|>",
                mutation_scale=10,
                color="#555555",
                linewidth=1.0,
                shrinkA=0,
                shrinkB=0,
            )
        )
        label = graph.edge_labels.get((src, dst))
        if label is not None:  # a third of the way along the arrow from its tail
            t = 1 / 3
            where = [
                (1 - t) ** 2 * p + 2 * t * (1 - t) * c + t**2 * q
                for p, c, q in zip(tail, control, head, strict=True)
            ]
            ax.text(
                *where,
                label,
                ha="center",
                va="center",
                fontsize=8,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )
    ys = [y for _, y in pos.values()]
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(min(ys + arcs) - 0.5, max(ys + arcs) + 0.5)
    if title:
        ax.set_title(title)
    return ax


def draw_value(root: Value, *, show_grad: bool = True, ax: Axes | None = None) -> Axes:
    """Draw a ``Value`` expression: each box shows its operation, data and gradient."""
    return draw(value_graph(root, show_grad=show_grad), ax=ax)


def draw_torch(
    output: torch.Tensor,
    names: dict[str, torch.Tensor] | None = None,
    *,
    ax: Axes | None = None,
) -> Axes:
    """Draw the ``grad_fn`` graph behind a tensor, from its leaves to the output."""
    return draw(torch_graph(output, names), ax=ax)


def draw_derivatives(root: Value, *, show_grad: bool = False, ax: Axes | None = None) -> Axes:
    """Draw the derivative graph of a ``Value`` expression (see :func:`derivative_graph`)."""
    return draw(derivative_graph(root, show_grad=show_grad), ax=ax)
