"""The myst-nb renderer the book builds with: it puts each figure's description in ``alt``.

``torchbook.plot`` makes the kernel send, with every PNG of a figure, an ``alt`` entry in
the output's metadata (:mod:`torchbook.plot.alt_text`). myst-nb's own renderer takes only
``width`` and ``height`` from that metadata and gives the image its file name as alt text;
:class:`AltTextRenderer` passes ``alt`` on too. An ``alt`` set in a cell's own
``mystnb: image:`` options still wins.

myst-nb selects it through its supported plugin mechanism: the entry point ``torchbook``
in the group ``myst_nb.renderers`` (``code/pyproject.toml``), chosen by
``nb_render_plugin: torchbook`` in ``_config.yml``. Only myst-nb imports this module; nothing
in ``torchbook`` does, so the package works without myst-nb (in Colab, say).
"""

from __future__ import annotations

from docutils import nodes
from myst_nb.core.render import MimeData, NbElementRenderer


class AltTextRenderer(NbElementRenderer):
    """myst-nb's renderer, with a figure's ``alt`` output metadata on its image."""

    def render_image(self, data: MimeData) -> list[nodes.Element]:
        """The image as myst-nb renders it, given the kernel's ``alt`` unless it has one."""
        rendered = super().render_image(data)
        alt = (data.output_metadata.get(data.mime_type) or {}).get("alt")
        if alt:
            for node in rendered:
                if isinstance(node, nodes.image) and not node.get("alt"):
                    node["alt"] = str(alt)
        return rendered
