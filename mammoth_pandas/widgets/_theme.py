"""The panels' stylesheet: colours from JupyterLab's theme variables, light and dark alike.

Every colour is a ``var(--jp-…)`` with a plain fallback for front ends that do not define
JupyterLab's variables (VS Code, Colab), so a dark theme gets light text on dark ground
and no hard-coded pastel. The sheet is one ``<style>`` in an HTML widget of the panel,
scoped to the panel's root class, so two panels or other outputs are not affected.
"""

from __future__ import annotations

import ipywidgets as widgets

__all__ = ["STATE_VARS", "panel_style", "state_colour"]

#: The theme variable (with a fallback) that colours each batch state.
STATE_VARS: dict[str, str] = {
    "active": "var(--jp-success-color1, #12b76a)",
    "sync_pending": "var(--jp-brand-color1, #1570ef)",
    "suspended": "var(--jp-warn-color1, #f79009)",
    "deleting": "var(--jp-error-color1, #d92d20)",
    "pending_delete": "var(--jp-error-color1, #d92d20)",
}
_OTHER_STATE = "var(--jp-ui-font-color2, #667085)"


def state_colour(state: str) -> str:
    """The CSS colour of ``state`` (a theme variable)."""
    return STATE_VARS.get(state, _OTHER_STATE)


def _mix(colour: str, percent: int) -> str:
    return f"color-mix(in srgb, {colour} {percent}%, transparent)"


_SHEET = """
.mp-panel {
  --mp-fg: var(--jp-ui-font-color1, #1d2939);
  --mp-fg2: var(--jp-ui-font-color2, #475467);
  --mp-bg: var(--jp-layout-color1, #ffffff);
  --mp-bg2: var(--jp-layout-color2, #f2f4f7);
  --mp-border: var(--jp-border-color2, #d0d5dd);
  --mp-brand: var(--jp-brand-color1, #1570ef);
  --mp-error: var(--jp-error-color1, #d92d20);
  color: var(--mp-fg);
}
.mp-panel .mp-title { color: var(--mp-fg); }
.mp-batch-scroll { max-height: min(36em, 70vh); overflow: auto !important;
  border: 1px solid var(--mp-border); border-radius: 4px; }
.mp-batch-scroll > *, .mp-batch-table > * { flex-shrink: 0 !important; }
.mp-batch-header { position: sticky; top: 0; z-index: 2; background: var(--mp-bg2);
  border-bottom: 1px solid var(--mp-border); }
.mp-header-cells, .mp-batch-cells { flex: 1 1 auto !important; min-width: 0;
  margin: 0 2px !important; }
.mp-header-cells { display: flex; flex-flow: row nowrap; }
.mp-batch-cells .widget-html-content { width: 100%; line-height: 1.35; }
.mp-cells { display: flex; flex-flow: row nowrap; align-items: center; width: 100%;
  cursor: pointer; user-select: none; min-height: 24px; }
.mp-col { box-sizing: border-box; padding: 2px 6px; flex: 0 0 auto; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.mp-col-id { width: 5em; text-align: right; }
.mp-col-name { flex: 3 1 14em; min-width: 8em; white-space: normal;
  overflow-wrap: anywhere; }
.mp-col-state { width: 9.5em; }
.mp-col-rows { width: 5em; text-align: right; }
.mp-col-columns { width: 6em; text-align: right; }
.mp-col-created { width: 10.5em; }
.mp-col-source { flex: 2 1 16em; min-width: 8em; white-space: normal;
  overflow-wrap: anywhere; color: var(--mp-fg2); }
.mp-source-kind { color: var(--mp-fg2); font-size: 90%; }
.mp-panel button.mp-sort { margin: 0 !important; height: auto; min-height: 26px;
  background: transparent; box-shadow: none; color: var(--mp-fg); font-weight: 600;
  text-align: left; padding: 2px 6px; border-radius: 0; }
.mp-panel button.mp-sort.mp-col-id, .mp-panel button.mp-sort.mp-col-rows,
.mp-panel button.mp-sort.mp-col-columns { text-align: right; }
.mp-panel button.mp-sort:hover { background: var(--jp-layout-color3, #e4e7ec); }
.mp-panel button.mp-sort.mp-sorted { color: var(--mp-brand); }
.mp-batch-row { border-bottom: 1px solid var(--jp-border-color3, #eaecf0); }
.mp-batch-row:hover { background: var(--mp-bg2); }
.mp-batch-row:has(.mp-cells.mp-ticked) { background: @TICKED@; }
.mp-batch-row:has(.mp-cells.mp-highlighted) { box-shadow: inset 3px 0 0 var(--mp-brand); }
.mp-state { border-radius: 8px; padding: 0 6px; border: 1px solid; white-space: nowrap; }
@STATES@
.mp-panel button.mp-chip { border-radius: 14px; border: 1px solid var(--mp-border);
  background: transparent; color: var(--mp-fg); width: auto; padding: 0 12px;
  box-shadow: none; }
.mp-panel button.mp-chip.mod-active { font-weight: 600; }
@CHIPS@
.mp-panel .mp-invalid input { border-color: var(--mp-error) !important;
  box-shadow: 0 0 0 1px var(--mp-error); }
.mp-field-error { color: var(--mp-error); font-size: 90%; }
.mp-stale { color: var(--mp-error); font-style: italic; }
.mp-empty { color: var(--mp-fg2); }
.mp-panel .mp-confirmation { border: 1px solid var(--mp-border); border-radius: 4px;
  padding: 2px 6px; background: var(--mp-bg2); align-items: center; }
.mp-panel .mp-confirm-message { color: var(--mp-fg); }
.mp-panel button.mp-confirm.mod-danger { background: var(--mp-error);
  color: var(--jp-ui-inverse-font-color1, #ffffff); }
.mp-timeline svg { display: block; width: 100%; height: 110px; }
.mp-timeline text { fill: var(--mp-fg2); font-size: 11px; }
.mp-timeline .mp-timeline-range { fill: var(--mp-brand); opacity: 0.12; }
.mp-timeline .mp-timeline-axis { stroke: var(--mp-border); }
"""


def _sheet() -> str:
    states = "\n".join(
        f".mp-state-{state} {{ color: {colour}; background: {_mix(colour, 14)}; }}"
        for state, colour in STATE_VARS.items()
    )
    chips = "\n".join(
        f".mp-panel button.mp-chip-{state} {{ border-color: {colour}; }}\n"
        f".mp-panel button.mp-chip-{state}.mod-active {{ background: {_mix(colour, 28)}; }}"
        for state, colour in STATE_VARS.items()
    )
    ticked = _mix("var(--jp-brand-color1, #1570ef)", 14)
    return _SHEET.replace("@STATES@", states).replace("@CHIPS@", chips).replace("@TICKED@", ticked)


def panel_style() -> widgets.HTML:
    """The HTML widget carrying the panels' stylesheet (put it inside the panel)."""
    style = widgets.HTML(f"<style>{_sheet()}</style>", layout={"height": "0px", "margin": "0"})
    style.add_class("mp-style")
    return style
