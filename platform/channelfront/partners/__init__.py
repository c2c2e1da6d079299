"""The Partners area of a storefront: distributor staff, enrolled resellers, applications."""
