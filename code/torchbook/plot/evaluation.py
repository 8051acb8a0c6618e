"""Pictures of a trained classifier's errors: the confusion matrix and the worst mistakes."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from torchbook.plot.images import image_grid
from torchbook.plot.style import axes_or_new


def confusion_counts(
    targets: torch.Tensor, predictions: torch.Tensor, classes: int
) -> torch.Tensor:
    """``counts[i, j]``: how many examples of class i were predicted as class j."""
    targets, predictions = targets.reshape(-1).cpu().long(), predictions.reshape(-1).cpu().long()
    if targets.shape != predictions.shape:
        raise ValueError(f"{targets.numel()} targets but {predictions.numel()} predictions")
    if targets.numel() and (
        max(targets.max(), predictions.max()) >= classes
        or min(targets.min(), predictions.min()) < 0
    ):
        raise ValueError(f"class indices must lie in 0..{classes - 1}")
    return torch.bincount(targets * classes + predictions, minlength=classes * classes).reshape(
        classes, classes
    )


def confusion_matrix(
    targets: torch.Tensor,
    predictions: torch.Tensor,
    *,
    classes: int = 10,
    labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the confusion matrix with counts in the cells; the diagonal is what went right."""
    counts = confusion_counts(targets, predictions, classes)
    ax = axes_or_new(ax, size=(5.2, 4.6))
    image = ax.imshow(counts.numpy(), cmap="Blues")
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    names = list(labels) if labels is not None else [str(i) for i in range(classes)]
    ax.set_xticks(range(classes), names)
    ax.set_yticks(range(classes), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.grid(False)
    threshold = counts.max().item() / 2
    for i in range(classes):
        for j in range(classes):
            value = counts[i, j].item()
            if value:
                ax.text(
                    j,
                    i,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if value > threshold else "black",
                )
    if title:
        ax.set_title(title)
    return ax


def worst_mistakes(
    images: torch.Tensor,
    targets: torch.Tensor,
    logits: torch.Tensor,
    *,
    count: int = 16,
    ncols: int = 8,
    title: str | None = None,
) -> Figure:
    """The misclassified images the model was most confident about, titled "true→predicted (p)"."""
    if (
        logits.ndim != 2
        or logits.shape[0] != targets.shape[0]
        or images.shape[0] != targets.shape[0]
    ):
        raise ValueError(
            f"need one row of logits and one image per target: images {tuple(images.shape)}, "
            f"targets {tuple(targets.shape)}, logits {tuple(logits.shape)}"
        )
    probabilities = logits.detach().float().softmax(dim=1).cpu()
    confidence, predicted = probabilities.max(dim=1)
    wrong = (predicted != targets.cpu()).nonzero().reshape(-1)
    if wrong.numel() == 0:
        raise ValueError("the model made no mistakes on these examples: nothing to show")
    chosen = wrong[confidence[wrong].argsort(descending=True)][:count]
    labels = [
        f"{targets[i].item()}→{predicted[i].item()} ({confidence[i]:.2f})" for i in chosen.tolist()
    ]
    return image_grid(images[chosen].cpu(), labels, ncols=ncols, title=title)
