"""Locale selection and locale-aware formatting."""
