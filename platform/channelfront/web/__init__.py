"""Helpers every web view shares: reading request values and choosing where to go back to."""
