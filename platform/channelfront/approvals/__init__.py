"""Approval rules, spending limits and the decisions orders wait for."""
