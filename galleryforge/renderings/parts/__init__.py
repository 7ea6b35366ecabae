"""Pieces the renderings share, one job a module (none of them is a rendering itself).

- ``layer_metrics``: which per-layer metrics are shown, their final values, relative shades.
- ``text_fit``: how much text fits where (label steps, legible row heights, cell text).
- ``ticks``: tick labels that fit: layer ticks, log ticks, metric names along x.
- ``heatmap``: the layers × metrics heatmap (matplotlib) and its colour bar.
- ``interactive_heatmap``: the same heatmap in plotly.
- ``layer_colors``: one colour per layer for lines coloured by depth, and its colour bar.
- ``panels``: grids of panels (how many rows and columns; plotly subplots on the theme).
- ``panel_notes``: what a panel says when it has nothing to draw.
- ``monotone_cubic``: a smooth curve through points that never overshoots them.
- ``alt_text``: metric names in sentences and the trial's means, for alt texts.
"""
