"""The incentive engine: pure Python, Decimal money, no web or database imports."""

__all__: list[str] = []
