"""``flask setup``: the vendor and its first administrator on an empty database."""
