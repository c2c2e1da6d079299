"""Incentive programs, their ledger and statements in the storefront (engine: `incentives`)."""
