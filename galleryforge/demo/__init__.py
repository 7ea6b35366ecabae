"""``galleryforge demo``: the whole pipeline, offline, on the bundled model and corpus.

Steps: the toy experiment, the three small trials and the small width family (TopK at k = 32
at six widths, under the width protocol) from one forward pass of all-MiniLM-L6-v2
(``training``), every rendering for every run under the themes, then the site (``pipeline``). A
second run reuses what is there: a run whose recorded config equals the one asked for is kept
(and one cut short is resumed), the gallery and the site have their own content-hash caches.
``fresh`` starts over.
"""

from galleryforge.demo.options import DemoOptions, DemoProgress
from galleryforge.demo.pipeline import DEMO_PROSE, DemoResult, run_demo

__all__ = ["DEMO_PROSE", "DemoOptions", "DemoProgress", "DemoResult", "run_demo"]
