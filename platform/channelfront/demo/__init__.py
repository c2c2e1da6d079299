"""Demo data: the Nimbus catalog, three distributors, resellers and their users."""
