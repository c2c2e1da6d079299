"""Quotes at the reseller's resale price, special pricing requests, and the end
customer accepting and paying a quote online."""
