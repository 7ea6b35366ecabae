"""Reconstruction metrics of a layer's SAE, from running sums over tokens (one pass, any size).

Every metric is a ratio of sums, so batches can be added one at a time and the result does not
depend on how the tokens were split. With ``x`` a token's activation, ``x̂`` its reconstruction,
``f`` its latents and ``n`` the number of tokens counted:

- ``mse`` = Σ‖x̂ − x‖² / (n·d) · s², with ``s² = d / mean‖x‖²``: the error on activations
  normalised to E‖x‖² = d over the text, the scale training uses (training's held-out
  activations are on that scale already: there s = 1).
- ``fvu`` = Σ‖x̂ − x‖² / Σ‖x − x̄‖² (x̄ the mean activation), ``explained_variance`` = 1 − fvu.
- ``cosine_similarity`` = mean of x̂·x / (‖x̂‖‖x‖); ``l2_ratio`` = mean of ‖x̂‖/‖x‖ (below 1:
  shrinkage), both as SAELens's evaluation reports them.
- ``relative_reconstruction_bias`` = Σ‖x̂‖² / Σ x̂·x, the γ of Rajamanoharan et al. (2024, "Improving
  Dictionary Learning with Gated Sparse Autoencoders"): the x̂/γ closest to x; 1 is unbiased,
  below 1 means the SAE shrinks its reconstructions.
- ``explained_variance_saelens``: SAELens's ``explained_variance`` (``sae_lens/evals.py``,
  v6), 1 − E‖x − x̂‖² / (E‖x‖² − m²) with m = E over tokens and dimensions of x², on the
  activations the SAE reads (times its ``norm_scaling_factor`` when it normalises with one). Not
  ours: its denominator is not the variance about the mean, so it is not 1 − fvu and changes with
  the activations' scale; kept so numbers compare with SAELens's. Measured by ``evaluate`` and at
  training's final checkpoint (raw activations), not on training's normalised held-out rows.
- ``l0`` = mean count of non-zero latents; ``dense`` = latents firing on more than 10% of tokens,
  ``dense_frac`` = dense / d_sae (SAEBench's ``freq_over_10_percent``), both over the tokens
  counted here (``heldout_tokens`` or evaluate's ``--tokens``).
- ``l1`` as the trial's ``l1_form`` defines it (mean of |f|, or Σ|f_i|·‖W_dec,i‖ on the
  normalised scale, which is s times the raw one), ``loss`` = mse + l1_coef · l1.
"""

from __future__ import annotations

import torch

DENSE_FREQUENCY = 0.1
PIECE_ELEMENTS = 2**26
"""Latent entries (layers × tokens × latents) whose |f| a batch's sums take at a time: with the
float64 copy a reduction makes, 0.75 GiB beside the latents themselves."""
_EPS = 1e-12


class ReconstructionSums:
    """Running float64 sums for ``n_layers`` SAEs of ``d_sae`` latents each."""

    def __init__(self, n_layers: int, d_sae: int) -> None:
        zeros = torch.zeros(n_layers, dtype=torch.float64)
        self.tokens = 0
        self.squared_error = zeros.clone()
        self.squared_norm = zeros.clone()
        self.sum_x: torch.Tensor | None = None
        self.l1_mean = zeros.clone()
        self.l1_decoder = zeros.clone()
        self.cosine = zeros.clone()
        self.l2_ratio = zeros.clone()
        self.recon_squared_norm = zeros.clone()
        self.dot = zeros.clone()
        self.fired = torch.zeros(n_layers, d_sae, dtype=torch.float64)

    def add(
        self, x: torch.Tensor, recon: torch.Tensor, feats: torch.Tensor, decoder_norms: torch.Tensor
    ) -> None:
        """One batch: ``x`` and ``recon`` ``[n_layers, n, d]``, ``feats`` ``[n_layers, n, d_sae]``,
        ``decoder_norms`` ``[n_layers, d_sae]`` (‖W_dec,i‖ on x's scale)."""
        self._add_latents(feats, decoder_norms)
        x, recon = x.double(), recon.double()
        self.tokens += x.shape[1]
        x_norm, recon_norm = x.norm(dim=-1), recon.norm(dim=-1)
        dot = (x * recon).sum(-1)
        self.squared_error += (recon - x).pow(2).sum(dim=(1, 2)).cpu()
        self.squared_norm += x_norm.pow(2).sum(-1).cpu()
        batch_sum = x.sum(1).cpu()
        self.sum_x = batch_sum if self.sum_x is None else self.sum_x + batch_sum
        self.cosine += (dot / (x_norm * recon_norm).clamp_min(_EPS)).sum(-1).cpu()
        self.l2_ratio += (recon_norm / x_norm.clamp_min(_EPS)).sum(-1).cpu()
        self.recon_squared_norm += recon_norm.pow(2).sum(-1).cpu()
        self.dot += dot.sum(-1).cpu()

    def _add_latents(self, feats: torch.Tensor, decoder_norms: torch.Tensor) -> None:
        """Each latent's float64 sum of |f| (both L1 forms follow from it: they are sums over
        tokens and latents) and firing count, ``PIECE_ELEMENTS`` of the latents at a time. JumpReLU
        and TopK latents may be negative before the ReLU, hence |f|. A reduction into float64
        copies its input to float64 first, so taken whole, the latents would be copied twice
        more (|f|, then |f| in float64): at full scale two more copies of 12.9 GB."""
        n_layers, tokens, d_sae = feats.shape
        magnitude = torch.zeros(n_layers, d_sae, dtype=torch.float64, device=feats.device)
        fired = torch.zeros_like(magnitude)
        step = max(1, PIECE_ELEMENTS // (n_layers * d_sae))
        for begin in range(0, tokens, step):
            absolute = feats[:, begin : begin + step].abs()
            magnitude += absolute.sum(1, dtype=torch.float64)
            # sign(|f|) is the 0/1 firing mask; its fp32 sum is exact to 2**24 tokens a piece.
            fired += torch.sign(absolute).sum(1)
        self.l1_mean += (magnitude.sum(-1) / d_sae).cpu()
        self.l1_decoder += (magnitude * decoder_norms.double()).sum(-1).cpu()
        self.fired += fired.cpu()

    def metrics(
        self, l1_form: str, coefs: torch.Tensor, normalised: bool = False, input_scale: float = 1.0
    ) -> dict[str, torch.Tensor]:
        """Per-layer ``[n_layers]`` float64 metrics (see the module docstring). ``normalised``:
        the activations are on training's normalised scale already (s = 1); otherwise
        ``input_scale`` is the factor the SAE multiplies them by before encoding (SAELens's
        explained variance depends on it)."""
        n, d = self.tokens, self.sum_x.shape[-1] if self.sum_x is not None else 1
        if n == 0 or self.sum_x is None:
            raise ValueError("no tokens were counted")
        scale_squared = (
            torch.ones_like(self.squared_norm) if normalised else d * n / self.squared_norm
        )
        deviation = self.squared_norm - self.sum_x.pow(2).sum(-1) / n
        mse = self.squared_error / (n * d) * scale_squared
        fvu = self.squared_error / deviation
        decoder_l1 = self.l1_decoder / n * scale_squared.sqrt()
        l1 = self.l1_mean / n if l1_form == "mean" else decoder_l1
        frequency = self.fired / n
        dense = (frequency > DENSE_FREQUENCY).sum(-1)
        saelens = {}
        if not normalised:
            mean_squared_norm = self.squared_norm / n * input_scale**2
            mean_square = mean_squared_norm / d
            residual = self.squared_error / n * input_scale**2
            saelens["explained_variance_saelens"] = 1.0 - residual / (
                mean_squared_norm - mean_square.pow(2)
            )
        return {
            "mse": mse,
            "fvu": fvu,
            "explained_variance": 1.0 - fvu,
            "l1": l1,
            "loss": mse + coefs.double().cpu() * l1,
            "l0": self.fired.sum(-1) / n,
            "cosine_similarity": self.cosine / n,
            "l2_ratio": self.l2_ratio / n,
            "relative_reconstruction_bias": self.recon_squared_norm / self.dot,
            "dense": dense,
            "dense_frac": dense / self.fired.shape[-1],
            **saelens,
        }

    @property
    def frequency(self) -> torch.Tensor:
        """``[n_layers, d_sae]`` fraction of the counted tokens on which each latent fired."""
        return self.fired / max(self.tokens, 1)
