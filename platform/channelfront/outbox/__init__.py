"""Transactional outbox: work for others, written with the change, dispatched after commit."""
