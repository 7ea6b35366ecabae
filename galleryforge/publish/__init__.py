"""Publish a trial's SAEs to the Hugging Face Hub.

``checkpoints`` finds and checks the SAELens checkpoint folders, ``stage`` builds the exact Hub
layout in a local folder, ``card`` writes its model card, ``upload`` sends the folder.
"""
