"""Training SAEs: trial configs and presets, the stacked SAE, the trainer and its session,
milestones, checkpoints and resuming, the L1 coefficient, and several processes under torchrun."""
