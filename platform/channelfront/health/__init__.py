"""Health check for load balancers."""
