"""End customers of reseller companies."""
