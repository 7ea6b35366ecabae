"""The toy experiment: does recovery of sparse data switch on at the width d*_S = k ln(F / k)?
Self-contained: it shares only the config-value rules and the provenance record with the rest."""
