"""torchbook.plot: the house style and the first helpers draw what they are given."""

from __future__ import annotations

import io

import matplotlib as mpl
import numpy as np
import pytest
import torch

import torchbook as tb


def test_figure_applies_house_style() -> None:
    fig, _ = tb.plot.figure()
    assert mpl.rcParams["figure.facecolor"] == "white"  # readable on the dark theme too
    first_colour = mpl.rcParams["axes.prop_cycle"].by_key()["color"][0]
    assert first_colour == tb.plot.COLORS[0]
    assert fig.get_size_inches().tolist() == [6.0, 3.6]


def test_figure_grid_shape() -> None:
    _, axes = tb.plot.figure(2, 3)
    assert axes.shape == (2, 3)


def test_figure_rejects_empty_grid() -> None:
    with pytest.raises(ValueError, match="at least one row"):
        tb.plot.figure(0, 1)


def test_axes_or_new_draws_on_the_callers_axes_in_the_house_style(monkeypatch) -> None:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    monkeypatch.setattr("torchbook.plot.style._applied", False)
    with mpl.rc_context({"axes.grid": False}):
        assert tb.plot.axes_or_new(ax) is ax
        assert mpl.rcParams["axes.grid"] is True  # the style, applied though no figure was made


def test_axes_or_new_makes_a_single_panel_figure_of_the_size_asked() -> None:
    ax = tb.plot.axes_or_new(None, size=(4.0, 3.0))
    assert ax.figure.axes == [ax]
    assert ax.figure.get_size_inches().tolist() == [4.0, 3.0]


def test_derivative_comes_from_autograd() -> None:
    x = torch.linspace(-2, 2, 41)
    ax = tb.plot.function_and_derivative(torch.sin, x, name="sin")
    f_line, df_line = ax.get_lines()[:2]
    np.testing.assert_allclose(f_line.get_ydata(), np.sin(x.double().numpy()))
    np.testing.assert_allclose(df_line.get_ydata(), np.cos(x.double().numpy()))


def test_derivative_needs_elementwise_function() -> None:
    with pytest.raises(ValueError, match="element-wise"):
        tb.plot.function_and_derivative(lambda t: t.sum(), torch.linspace(0, 1, 5))


def test_heatmap_prints_every_value() -> None:
    image = torch.arange(12).reshape(3, 4)
    ax = tb.plot.heatmap(image)
    texts = [t.get_text() for t in ax.texts]
    assert texts == [str(v) for v in range(12)]


def test_heatmap_accepts_channel_first_image() -> None:
    ax = tb.plot.heatmap(torch.zeros(1, 5, 5), annotate=False)
    assert ax.images[0].get_array().shape == (5, 5)


def test_heatmap_rejects_a_batch() -> None:
    with pytest.raises(ValueError, match=r"got \(2, 3, 5, 5\)"):
        tb.plot.heatmap(torch.zeros(2, 3, 5, 5))


def test_image_grid_one_panel_per_image_with_labels() -> None:
    fig = tb.plot.image_grid(torch.rand(10, 1, 8, 8), labels=list(range(10)), ncols=4)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 10 and len(fig.axes) == 12  # 3 rows of 4, two left blank
    assert [ax.get_title() for ax in shown] == [str(i) for i in range(10)]


def test_image_grid_label_count_must_match() -> None:
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        tb.plot.image_grid(torch.rand(3, 8, 8), labels=[1, 2])


def test_image_grid_rejects_flat_vectors() -> None:
    with pytest.raises(ValueError, match=r"got \(3, 64\)"):
        tb.plot.image_grid(torch.rand(3, 64))


def test_descent_steps_marks_every_visited_point() -> None:
    steps = [2.0, 1.2, 0.72]
    ax = tb.plot.descent_steps(lambda x: x**2, steps)
    points = next(line for line in ax.get_lines() if line.get_label() == "steps")
    np.testing.assert_allclose(points.get_xdata(), steps)
    np.testing.assert_allclose(points.get_ydata(), np.square(steps))


def test_descent_tangents_have_the_autograd_slope() -> None:
    ax = tb.plot.descent_steps(lambda x: x**3, [1.0], tangent_halfwidth=0.5)
    tangent = next(line for line in ax.get_lines() if line.get_label() == "tangent")
    xs, ys = tangent.get_xdata(), tangent.get_ydata()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(3.0)
    assert np.hypot(xs[1] - xs[0], ys[1] - ys[0]) == pytest.approx(1.0)  # fixed length


def test_descent_view_includes_diverging_steps() -> None:
    ax = tb.plot.descent_steps(lambda x: x**2, [1.0, -3.0, 9.0])
    assert ax.get_xlim()[1] >= 9.0


def test_descent_needs_a_point() -> None:
    with pytest.raises(ValueError, match="at least one"):
        tb.plot.descent_steps(lambda x: x**2, [])


def test_loss_curves_one_line_per_curve() -> None:
    ax = tb.plot.loss_curves({"train": [3, 2, 1], "valid": torch.tensor([4.0, 3.0, 2.5])})
    assert [line.get_label() for line in ax.get_lines()] == ["train", "valid"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [4.0, 3.0, 2.5])


def test_loss_curves_tick_only_whole_epochs() -> None:
    ax = tb.plot.loss_curves({"train": np.linspace(1.0, 0.1, 5)})
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_xticks() if 1 <= t <= 5]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


def test_loss_curves_reject_empty_curve() -> None:
    with pytest.raises(ValueError, match="'train' must be non-empty"):
        tb.plot.loss_curves({"train": []})


def test_prediction_panels_one_panel_per_prediction() -> None:
    x = torch.linspace(0, 1, 5)
    fig = tb.plot.prediction_panels(x, 2 * x, [("a", x), ("b", 2 * x), ("c", 3 * x)], ncols=2)
    used = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in used] == ["a", "b", "c"]


def test_prediction_panels_check_shapes() -> None:
    x = torch.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="predictions 'a' have shape"):
        tb.plot.prediction_panels(x, x, [("a", torch.zeros(4))])


def test_activation_grid_one_panel_per_function() -> None:
    fig = tb.plot.activation_grid({"sigmoid": torch.sigmoid, "tanh": torch.tanh}, ncols=3)
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid", "tanh"]
    assert all(len(ax.get_lines()) >= 2 for ax in fig.axes)  # curve and derivative


def _class_colours(ax) -> dict[int, tuple[float, ...]]:
    """The colour of each class's points, found through their legend label."""
    found = {}
    for collection in ax.collections:
        label = collection.get_label()
        if label.startswith("class "):
            found[int(label.split()[1])] = tuple(collection.get_facecolor()[0][:3])
    return found


def _shaded_class(ax, x: float, y: float) -> int:
    """The class whose points' hue is nearest the shading drawn at (x, y): what a reader sees."""
    import colorsys

    fig = ax.figure
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    px, py = ax.transData.transform((x, y))
    r, g, b = pixels[round(pixels.shape[0] - py), round(px), :3] / 255

    def hue(rgb) -> float:
        return colorsys.rgb_to_hsv(*rgb)[0]

    def distance(k: int) -> float:
        d = abs(hue((r, g, b)) - hue(_class_colours(ax)[k]))
        return min(d, 1 - d)

    assert colorsys.rgb_to_hsv(r, g, b)[1] > 0.1, f"no shading at ({x}, {y})"
    near, far = sorted((0, 1), key=distance)
    assert distance(near) < 0.05 < 0.2 < distance(far), (x, y)
    return near


_CORNERS = torch.tensor([[-2.0, -2.0], [2.0, 2.0], [-2.0, 2.0], [2.0, -2.0]])


@pytest.mark.parametrize(
    ("model", "where"),
    [(lambda xy: xy[:, :1] - 0.5, {(-1.0, 0.0): 0, (0.2, 1.0): 0, (1.0, 0.0): 1, (1.8, -1.0): 1}),
     (lambda xy: torch.stack([xy[:, 1], -xy[:, 1]], 1),
      {(0.0, 1.0): 0, (-1.0, 0.4): 0, (0.0, -1.0): 1, (1.0, -0.4): 1})],
    ids=["one-logit-column", "one-column-per-class"],
)  # fmt: skip
def test_decision_boundary_shades_each_side_as_its_predicted_class(model, where) -> None:
    """One column: positive is class 1. One column per class: the larger wins."""
    labels = torch.tensor([0, 1, 0, 1])
    ax = tb.plot.decision_boundary(model, _CORNERS, labels)
    assert _class_colours(ax) == {k: mpl.colors.to_rgb(tb.plot.COLORS[k]) for k in (0, 1)}
    assert {point: _shaded_class(ax, *point) for point in where} == where


def test_decision_boundary_runs_a_float64_model_in_float64() -> None:
    model = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.0, 1.0]]))
        model.bias.fill_(-0.5)  # class 1 above y = 0.5
    ax = tb.plot.decision_boundary(model, _CORNERS, torch.tensor([0, 1, 1, 0]))
    assert _shaded_class(ax, 0.0, 1.2) == 1 and _shaded_class(ax, 0.0, -0.2) == 0
    assert _shaded_class(ax, -1.5, 0.8) == 1 and _shaded_class(ax, 1.5, 0.2) == 0


def test_decision_boundary_scatters_each_point_in_its_class_colour() -> None:
    points = torch.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])
    ax = tb.plot.decision_boundary(lambda xy: xy[:, :1], points, torch.tensor([1, 0, 1]))
    scatters = {c.get_label(): c.get_offsets().tolist() for c in ax.collections[1:]}
    assert scatters == {"class 0": [[1.0, 2.0]], "class 1": [[0.0, 0.0], [3.0, 1.0]]}
    assert ax.get_xlim() == pytest.approx((-0.5, 3.5))
    assert ax.get_ylim() == pytest.approx((-0.5, 2.5))


def test_decision_boundary_needs_one_label_per_point() -> None:
    with pytest.raises(ValueError, match=r"^expected one label per point, got \(3,\)$"):
        tb.plot.decision_boundary(lambda xy: xy, torch.zeros(5, 2), torch.zeros(3))


def test_decision_boundary_checks_shapes() -> None:
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        tb.plot.decision_boundary(lambda xy: xy, torch.zeros(5, 3), torch.zeros(5))


def test_trajectories_draw_every_path() -> None:
    paths = {"a": [[1.0, 1.0], [0.5, 0.5]], "b": torch.tensor([[1.0, -1.0], [0.0, 0.0]])}
    ax = tb.plot.trajectories(lambda x, y: x**2 + y**2, paths)
    labels = [line.get_label() for line in ax.get_lines()]
    assert "a" in labels and "b" in labels and "start" in labels


def test_trajectories_reject_bad_path() -> None:
    with pytest.raises(ValueError, match="path 'a' must have shape"):
        tb.plot.trajectories(lambda x, y: x + y, {"a": [1.0, 2.0, 3.0]})


def test_confusion_counts_put_truth_in_rows() -> None:
    counts = tb.plot.confusion_counts(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 1]), 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


def test_confusion_counts_reject_out_of_range_classes() -> None:
    with pytest.raises(ValueError, match=r"0\.\.2"):
        tb.plot.confusion_counts(torch.tensor([0, 3]), torch.tensor([0, 1]), 3)


def test_confusion_matrix_writes_nonzero_counts() -> None:
    ax = tb.plot.confusion_matrix(torch.tensor([0, 0, 1]), torch.tensor([0, 1, 1]), classes=2)
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1"]


def test_worst_mistakes_shows_the_most_confident_errors_first() -> None:
    images = torch.rand(4, 1, 8, 8)
    targets = torch.tensor([0, 1, 1, 0])
    logits = torch.tensor([[5.0, 0.0], [0.0, 5.0], [3.0, 0.0], [0.0, 9.0]])  # 2 and 3 wrong
    fig = tb.plot.worst_mistakes(images, targets, logits)
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert [t.split(" ")[0] for t in titles] == ["0→1", "1→0"]


def test_worst_mistakes_needs_a_mistake() -> None:
    with pytest.raises(ValueError, match="no mistakes"):
        tb.plot.worst_mistakes(torch.rand(1, 8, 8), torch.tensor([0]), torch.tensor([[1.0, 0.0]]))


@pytest.mark.parametrize("name", ["leaky ReLU", r"leaky\ ReLU"])
def test_activation_grid_keeps_spaces_in_legend_names(name: str) -> None:
    fig = tb.plot.activation_grid({name: torch.relu})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0] == r"$\mathrm{leaky\ ReLU}(x)$"
    fig.savefig(io.BytesIO())  # the label must also render
