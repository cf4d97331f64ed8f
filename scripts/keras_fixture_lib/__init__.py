"""Pieces of scripts/keras_fixtures.py: numpy references, layer descriptions, and file writers."""
