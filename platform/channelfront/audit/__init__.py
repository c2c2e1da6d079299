"""The audit log: who changed permissions or money, when, from what to what."""
