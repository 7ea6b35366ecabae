"""Load each probe's checkpoint with SAELens (``SAE.load_from_disk``) and compare its latents and
reconstruction with galleryforge's. Runs where SAELens is installed and galleryforge is not.

Usage: python scripts/saelens_compat/check_with_saelens.py OUT
"""

from __future__ import annotations

import sys
from pathlib import Path

import sae_lens
import torch
from sae_lens import SAE
from safetensors.torch import load_file

EXPECTED = {
    "relu": "StandardSAE",
    "topk": "TopKSAE",
    "batchtopk": "JumpReLUSAE",
    "jumprelu": "JumpReLUSAE",
}


def main(out: Path) -> int:
    print(f"sae_lens {sae_lens.__version__}")
    failed = 0
    for trial, kind in EXPECTED.items():
        folder = next((out / "runs" / trial / "checkpoints").glob("*/layer_0"))
        sae = SAE.load_from_disk(str(folder), device="cpu")
        probe = load_file(str(folder.parent / "probe.safetensors"))
        with torch.no_grad():
            feats = sae.encode(probe["x"])
            recon = sae.decode(feats)
        f_diff = float((feats - probe["feats"]).abs().max())
        x_diff = float((recon - probe["recon"]).abs().max())
        ok = type(sae).__name__ == kind and f_diff < 1e-5 and x_diff < 1e-5
        failed += not ok
        name = type(sae).__name__
        print(f"{trial}: {name}, max |f diff| {f_diff:.2g}, max |x_hat diff| {x_diff:.2g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
