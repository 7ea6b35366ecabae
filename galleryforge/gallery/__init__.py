"""Building the figure gallery: plan the (trial, theme, rendering) jobs, draw, save, record."""
