"""Pieces the renderings are built from, one job a module (none of them is a rendering itself).

- ``layer_metrics``: which per-layer metrics are shown, their final values, relative shades.
- ``text_fit``: how much text fits where (label steps, legible row heights, cell text).
- ``ticks``: tick labels that fit: layer ticks, log ticks, metric names along x.
- ``heatmap``: the layers × metrics heatmap (matplotlib) and its colour bar.
- ``interactive_heatmap``: the same heatmap in plotly.
- ``layer_colors``: one colour per layer for lines coloured by depth, and its colour bar.
- ``panels``: grids of panels (how many rows and columns; plotly subplots on the theme).
- ``panel_notes``: a muted note in a panel's title slot; what an empty panel says.
- ``monotone_cubic``: a smooth curve through points that never overshoots them.
- ``alt_text``: metric names in sentences and the trial's means, for alt texts.
- ``family``: a width family's final rows, seed means, fitted curves and knees, declared d*_S.
- ``predicted_floor``: the KD prediction's floor per layer, the widths it spans, its title.
- ``toy_curves``: the toy sweep as seed-mean curves in a grid of read-out × k (or α) panels.
- ``lower_bounds``: how a censored value is drawn (hollow marker, arrow, legend entry).
- ``shaded_contexts``: a latent's top contexts as rows of tokens shaded by activation.
"""
