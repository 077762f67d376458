"""Prospect profiles and the transformers that turn profiles and villages into vectors."""
