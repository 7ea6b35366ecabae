"""The rendering registry: a plain dict filled by an explicit decorator in each rendering module.

A rendering is a named figure (``premium-heatmap``, ``toy-loss-floor``, …). Its module defines a
``draw(ctx)`` function that returns a matplotlib Figure, optionally an ``interactive(ctx)`` that
returns a plotly Figure, ``describe(ctx)`` for the alt text and, when the figure shows a
measurement, ``finding(ctx)``: the sentence stating the measured result, generated from the same
tables the figure draws (captions only describe what is drawn; a result is never typed by hand).
Then it registers them:

    @register("premium-heatmap", title="…", aliases=("SAE_Premium_Heatmap",),
              describe=describe, interactive=interactive)
    def draw(ctx: RenderContext) -> Figure: ...

The gallery stores each figure's finding in its manifest beside the alt text; the site shows it
under the caption (gallery entry and figure page).

Registering an id or alias twice raises; looking up an unknown one names the close matches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from galleryforge.errors import GalleryforgeError, unknown_name

if TYPE_CHECKING:
    from galleryforge.renderings.context import RenderContext
    from galleryforge.tables import TrialTables

Scope = Literal["trial", "toy"]
DrawFn = Callable[["RenderContext"], Any]
DescribeFn = Callable[["RenderContext"], str]
FindingFn = Callable[["RenderContext"], "str | None"]


@dataclass(frozen=True)
class Rendering:
    id: str
    title: str
    """A short human title (figure pages, manifest)."""
    scope: Scope
    """``trial``: drawn once per trial from its tables; ``toy``: drawn from the toy run."""
    draw: DrawFn
    describe: DescribeFn
    interactive: DrawFn | None = None
    aliases: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    """What the tables must hold beyond the layer table: ``curves``, ``checkpoints``
    (two or more), ``trials`` (two or more trials), ``toy`` (a toy run beside the trial),
    ``family`` (two or more members of the trial's width family), ``features`` and ``examples``
    (the per-latent tables), ``controls`` (a random-weights control of the trial, or the trial
    a control is of)."""
    uses: tuple[str, ...] = ()
    """What it draws when the run folder has it, without needing it (``family``)."""
    aspect: float | None = None
    """Preferred height / width; ``None`` keeps the theme's."""
    finding: FindingFn | None = None
    """The sentence stating the measured result, from the tables the figure draws (None: the
    figure states no result, or the tables hold none to state)."""
    one_latent: bool = False
    """Draws one latent, chosen with ``--latent`` (else the rendering's stated default)."""

    @property
    def reads_other_runs(self) -> bool:
        """Whether its figure for one trial depends on other runs of the folder."""
        return bool({"trials", "family", "controls"} & {*self.needs, *self.uses})

    @property
    def has_interactive(self) -> bool:
        return self.interactive is not None

    def unmet_need(
        self, trial: TrialTables, trials: Mapping[str, TrialTables], toy: bool
    ) -> str | None:
        """Why ``trial``'s run cannot give this rendering what it ``needs``, or None.

        ``trials`` are the trials of the run folder; ``toy`` whether a toy run is there.
        """
        from galleryforge.width_family import family_members

        if "curves" in self.needs and trial.curves is None:
            return "the run has no curves table"
        if "checkpoints" in self.needs and len(trial.checkpoints) < 2:
            return "the run has fewer than two checkpoints"
        if "trials" in self.needs and len(trials) < 2:
            return "it compares two or more trials"
        if "toy" in self.needs and not toy:
            return "it needs the toy run"
        if "family" in self.needs and len(family_members(trial, trials)) < 2:
            return "it needs two or more members of a width family (train --preset widths-small)"
        if "features" in self.needs and trial.features is None:
            return "the run has no per-latent table (tables/features.parquet)"
        if "examples" in self.needs and trial.examples_path is None:
            return "the run has no examples table (tables/examples.parquet)"
        if "controls" in self.needs and not _has_control(trial, trials):
            return (
                "it needs a random-weights control of the trial in the run folder "
                "(galleryforge train --preset controls-small, for B-small)"
            )
        return None


def _has_control(trial: TrialTables, trials: Mapping[str, TrialTables]) -> bool:
    from galleryforge.controls import controlled_by, controls_of

    return bool(controls_of(trial, trials)) or controlled_by(trial, trials) is not None


REGISTRY: dict[str, Rendering] = {}
_ALIASES: dict[str, str] = {}


def register(
    rendering_id: str,
    *,
    title: str,
    describe: DescribeFn,
    scope: Scope = "trial",
    interactive: DrawFn | None = None,
    aliases: tuple[str, ...] = (),
    needs: tuple[str, ...] = (),
    uses: tuple[str, ...] = (),
    aspect: float | None = None,
    finding: FindingFn | None = None,
    one_latent: bool = False,
) -> Callable[[DrawFn], DrawFn]:
    """Register ``draw`` under ``rendering_id`` (and its aliases); a name used twice raises."""

    def decorate(draw: DrawFn) -> DrawFn:
        for name in (rendering_id, *aliases):
            if name in REGISTRY or name in _ALIASES:
                raise GalleryforgeError(f"rendering name {name!r} is registered twice")
        REGISTRY[rendering_id] = Rendering(
            id=rendering_id,
            title=title,
            scope=scope,
            draw=draw,
            describe=describe,
            interactive=interactive,
            aliases=aliases,
            needs=needs,
            uses=uses,
            aspect=aspect,
            finding=finding,
            one_latent=one_latent,
        )
        for alias in aliases:
            _ALIASES[alias] = rendering_id
        return draw

    return decorate


def get_rendering(name: str) -> Rendering:
    """The rendering with this id or alias (aliases match case-insensitively)."""
    from galleryforge.renderings import load_all

    load_all()
    if name in REGISTRY:
        return REGISTRY[name]
    folded = {alias.lower(): target for alias, target in _ALIASES.items()}
    if name.lower() in folded:
        return REGISTRY[folded[name.lower()]]
    raise unknown_name("rendering", name, [*REGISTRY, *_ALIASES])


def all_renderings(scope: Scope | None = None) -> list[Rendering]:
    from galleryforge.renderings import load_all

    load_all()
    return [r for r in REGISTRY.values() if scope is None or r.scope == scope]
