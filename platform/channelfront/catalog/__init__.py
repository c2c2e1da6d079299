"""The vendor catalog: products, categories, product groups and list prices."""
