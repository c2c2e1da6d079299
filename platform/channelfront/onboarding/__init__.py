"""The vendor console's onboarding wizard: steps, readiness checklist and going live."""
