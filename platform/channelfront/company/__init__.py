"""A reseller company's own area on a storefront: its users and its profile."""
