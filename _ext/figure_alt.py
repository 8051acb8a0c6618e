"""Put the kernel's description of each figure into the image's ``alt`` attribute.

``torchbook.plot`` makes the kernel send, with every PNG of a figure, an ``alt`` entry in
the output's metadata: a line read off the figure's titles, axis labels and legend
(``torchbook/plot/alt_text.py``). myst-nb takes only ``width`` and ``height`` from that
metadata and would give the image its file name as alt text; this extension passes ``alt``
on too. An ``alt`` set in a cell's own ``mystnb: image:`` options still wins.
"""

from __future__ import annotations

from docutils import nodes
from myst_nb.core.render import MimeData, NbElementRenderer
from sphinx.application import Sphinx

_render_image = NbElementRenderer.render_image


def render_image_with_alt(self: NbElementRenderer, data: MimeData) -> list[nodes.Element]:
    rendered = _render_image(self, data)
    alt = (data.output_metadata.get(data.mime_type) or {}).get("alt")
    if alt:
        for node in rendered:
            if isinstance(node, nodes.image) and not node.get("alt"):
                node["alt"] = str(alt)
    return rendered


def setup(app: Sphinx) -> dict[str, object]:
    NbElementRenderer.render_image = render_image_with_alt
    return {"parallel_read_safe": True, "parallel_write_safe": True}
