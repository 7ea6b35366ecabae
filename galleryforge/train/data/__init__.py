"""The data pipeline: a model and its hooks, a corpus packed into token contexts, residual-stream
activations in shuffled batches, the held-out sample and the text an evaluation runs on.

Imports nothing from ``evaluation`` or ``training``: they build on it."""
