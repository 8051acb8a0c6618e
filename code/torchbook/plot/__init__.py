"""The book's figures: one house style and the helpers chapters draw with.

Every figure in the book goes through :func:`figure` (or a helper built on it), so that
sizes, fonts and colours agree from page to page and a change of style is one edit here.
A helper that can draw into a caller's panel takes ``ax=None`` and starts from
:func:`axes_or_new`. Modules are named by what they draw.
"""

from torchbook.plot.boundaries import decision_boundary
from torchbook.plot.broadcast import broadcast_diagram
from torchbook.plot.descent import descent_steps, trajectories
from torchbook.plot.evaluation import confusion_counts, confusion_matrix, worst_mistakes
from torchbook.plot.functions import activation_grid, function_and_derivative
from torchbook.plot.images import heatmap, image_grid
from torchbook.plot.style import COLORS, axes_or_new, figure, use_style
from torchbook.plot.training import loss_curves, prediction_panels

__all__ = [
    "COLORS",
    "activation_grid",
    "axes_or_new",
    "broadcast_diagram",
    "confusion_counts",
    "confusion_matrix",
    "decision_boundary",
    "descent_steps",
    "figure",
    "function_and_derivative",
    "heatmap",
    "image_grid",
    "loss_curves",
    "prediction_panels",
    "trajectories",
    "use_style",
    "worst_mistakes",
]
