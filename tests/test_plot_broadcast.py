"""Tests of torchbook.plot.broadcast: the broadcasting diagram of the Tensors chapter."""

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from torchbook.plot import broadcast_diagram


def _cells(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _is_virtual(cell: Rectangle) -> bool:
    return bool(cell.get_hatch())


def test_returns_a_figure_with_a_panel_per_tensor_and_per_sign():
    fig = broadcast_diagram((3, 1), (4,))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 5  # a, "+", b, "=", result


def test_three_operands_give_seven_panels():
    fig = broadcast_diagram((4, 1), (1, 4), (4, 4))
    assert len(fig.axes) == 7


def test_every_tensor_is_drawn_at_the_result_shape():
    fig = broadcast_diagram((3, 1), (4,))
    grids = fig.axes[0::2]
    assert [len(_cells(ax)) for ax in grids] == [12, 12, 12]
    assert sum(len(_cells(ax)) for ax in fig.axes[1::2]) == 0  # sign panels hold no cells


def test_only_the_real_elements_are_solid():
    fig = broadcast_diagram((3, 1), (4,))
    a, b, result = fig.axes[0::2]
    assert sum(not _is_virtual(c) for c in _cells(a)) == 3
    assert sum(not _is_virtual(c) for c in _cells(b)) == 4
    assert all(not _is_virtual(c) for c in _cells(result))


def test_the_real_cells_sit_where_the_original_tensor_is():
    fig = broadcast_diagram((3, 1), (1, 4))
    a, b, _ = fig.axes[0::2]
    assert {c.get_xy() for c in _cells(a) if not _is_virtual(c)} == {(0, 0), (0, 1), (0, 2)}
    assert {c.get_xy() for c in _cells(b) if not _is_virtual(c)} == {(j, 0) for j in range(4)}


def test_a_scalar_has_one_real_cell():
    fig = broadcast_diagram((2, 3), ())
    scalar = fig.axes[2]
    cells = _cells(scalar)
    assert len(cells) == 6
    assert sum(not _is_virtual(c) for c in cells) == 1


def test_titles_show_the_shapes_and_the_result_shape():
    fig = broadcast_diagram((3, 1), (4,), names=["x", "y"])
    titles = [ax.get_title() for ax in fig.axes[0::2]]
    assert titles[0].startswith("x: (3, 1)")
    assert titles[1].startswith("y: (4,)")
    assert "read as (1, 4)" in titles[1]
    assert titles[2] == "result: (3, 4)"


def test_signs_between_the_panels():
    fig = broadcast_diagram((2, 1), (1, 2), op="*")
    signs = [ax.texts[0].get_text() for ax in fig.axes[1::2]]
    assert signs == ["*", "="]


def test_incompatible_shapes_raise_and_name_both_shapes():
    with pytest.raises(ValueError, match="do not broadcast") as info:
        broadcast_diagram((2, 3), (2,))
    assert "(2, 3)" in str(info.value)
    assert "(2,)" in str(info.value)


def test_rank_above_two_is_refused_with_the_shape_named():
    with pytest.raises(ValueError, match="rank") as info:
        broadcast_diagram((2, 3, 4), (4,))
    assert "(2, 3, 4)" in str(info.value)


@pytest.mark.parametrize("shapes", [((3,),), ((2, 0), (2, 1)), ([2, 3], (3,))])
def test_bad_input_is_refused(shapes):
    with pytest.raises(ValueError):
        broadcast_diagram(*shapes)


def test_names_must_match_the_shapes():
    with pytest.raises(ValueError, match="names"):
        broadcast_diagram((2, 1), (1, 2), names=["only one"])


def test_torch_size_shapes_are_titled_like_tuples() -> None:
    fig = broadcast_diagram(torch.Size([2, 3]), torch.Size([2, 1]), names=["x", "s"])
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert "torch.Size" not in titles and "(2, 3)" in titles
