"""Deal registration: a reseller registers an opportunity, staff approve or decline it."""
