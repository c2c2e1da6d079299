"""People who sign in: vendor staff, distributor staff and reseller users."""
