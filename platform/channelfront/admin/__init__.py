"""The vendor console on the admin host."""
