"""ipywidgets panels: pick a dataset, act on its batches, review a mapping before an append.

Only stock ipywidgets controls (7.7 and 8), so the panels render in JupyterLab,
Notebook 7, Voilà, VS Code and Colab without any front-end install.
"""

from __future__ import annotations

from mammoth_pandas.widgets._runner import ActionResult
from mammoth_pandas.widgets.batch_panel import BatchPanel
from mammoth_pandas.widgets.mapping_panel import MappingPanel
from mammoth_pandas.widgets.picker import DatasetPicker, browse
from mammoth_pandas.widgets.preview import BatchPreview

__all__ = ["ActionResult", "BatchPanel", "BatchPreview", "DatasetPicker", "MappingPanel", "browse"]
