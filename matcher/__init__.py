"""Scoring, ranking, learning and evaluation of partner villages for prospects."""
